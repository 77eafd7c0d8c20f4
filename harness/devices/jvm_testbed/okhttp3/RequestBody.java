package okhttp3;

import java.nio.charset.StandardCharsets;
import okio.BufferedSink;

/** Mirror of {@code okhttp3.RequestBody}; the SDK builds its bodies with {@code create(MediaType, String)}. */
public abstract class RequestBody {
    public abstract MediaType contentType();

    public long contentLength() { return -1; }

    public abstract void writeTo(BufferedSink sink);

    /**
     * OkHttp 4's {@code String.toRequestBody(contentType)}: UTF-8 bytes, and a content type without a
     * charset gets "; charset=utf-8" (research android §2.2: the wire says application/json; charset=utf-8).
     */
    public static RequestBody create(MediaType contentType, String content) {
        MediaType type = contentType;
        if (type != null && type.charset() == null) type = MediaType.parse(type + "; charset=utf-8");
        return create(type, content.getBytes(StandardCharsets.UTF_8));
    }

    public static RequestBody create(final MediaType contentType, final byte[] content) {
        return new RequestBody() {
            @Override
            public MediaType contentType() { return contentType; }

            @Override
            public long contentLength() { return content.length; }

            @Override
            public void writeTo(BufferedSink sink) { sink.write(content); }
        };
    }
}
