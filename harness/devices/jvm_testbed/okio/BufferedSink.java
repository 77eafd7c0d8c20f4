package okio;

/** Mirror of okio's sink interface, as much of it as a RequestBody writes to. */
public interface BufferedSink {
    BufferedSink write(byte[] source);

    BufferedSink writeUtf8(String string);
}
