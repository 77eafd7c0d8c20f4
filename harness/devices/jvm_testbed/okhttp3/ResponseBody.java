package okhttp3;

import java.nio.charset.StandardCharsets;

/** Mirror of {@code okhttp3.ResponseBody} (already read: the test bed has no streaming). */
public final class ResponseBody {
    private final byte[] bytes;

    ResponseBody(byte[] bytes) { this.bytes = bytes; }

    /** OkHttp's {@code ResponseBody.create(MediaType, byte[])}. */
    public static ResponseBody create(MediaType contentType, byte[] content) { return new ResponseBody(content); }

    public byte[] bytes() { return bytes.clone(); }

    public String string() { return new String(bytes, StandardCharsets.UTF_8); }
}
