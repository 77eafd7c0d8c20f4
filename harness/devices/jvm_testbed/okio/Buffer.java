package okio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Mirror of {@code okio.Buffer}: in-app capture writes a RequestBody into one and reads the bytes. */
public final class Buffer implements BufferedSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    public Buffer() {}

    @Override
    public Buffer write(byte[] source) {
        bytes.write(source, 0, source.length);
        return this;
    }

    @Override
    public Buffer writeUtf8(String string) {
        return write(string.getBytes(StandardCharsets.UTF_8));
    }

    public long size() { return bytes.size(); }

    /** All the bytes, emptying the buffer (as okio does). */
    public byte[] readByteArray() {
        byte[] out = bytes.toByteArray();
        bytes.reset();
        return out;
    }

    public String readUtf8() { return new String(readByteArray(), StandardCharsets.UTF_8); }
}
