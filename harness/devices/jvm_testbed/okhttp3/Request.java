package okhttp3;

import java.util.ArrayList;
import java.util.List;

/** Mirror of {@code okhttp3.Request} and its Builder, as the SDK's NetworkHandlerImpl builds one. */
public final class Request {
    private final HttpUrl url;
    private final String method;
    private final Headers headers;
    private final RequestBody body;

    Request(Builder b) {
        this.url = b.url;
        this.method = b.method;
        this.headers = new Headers(b.headers);
        this.body = b.body;
    }

    public HttpUrl url() { return url; }

    public String method() { return method; }

    public Headers headers() { return headers; }

    public String header(String name) { return headers.get(name); }

    public RequestBody body() { return body; }

    public Builder newBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.method = method;
        b.headers.addAll(headers.pairs());
        b.body = body;
        return b;
    }

    @Override
    public String toString() { return "Request{method=" + method + ", url=" + url + "}"; }

    public static final class Builder {
        private HttpUrl url;
        private String method = "GET"; // OkHttp's default: a null body leaves GET (research android §2.1)
        private final List<String> headers = new ArrayList<>();
        private RequestBody body;

        public Builder() {}

        public Builder url(String url) {
            this.url = HttpUrl.get(url);
            return this;
        }

        public Builder url(HttpUrl url) {
            this.url = url;
            return this;
        }

        /** Replaces every header of that name. */
        public Builder header(String name, String value) {
            removeHeader(name);
            return addHeader(name, value);
        }

        public Builder addHeader(String name, String value) {
            headers.add(name);
            headers.add(value);
            return this;
        }

        public Builder removeHeader(String name) {
            for (int i = headers.size() - 2; i >= 0; i -= 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    headers.remove(i + 1);
                    headers.remove(i);
                }
            }
            return this;
        }

        public Builder get() { return method("GET", null); }

        public Builder post(RequestBody body) { return method("POST", body); }

        public Builder method(String method, RequestBody body) {
            if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
                throw new IllegalArgumentException("method " + method + " must not have a request body.");
            }
            if (body == null && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
                throw new IllegalArgumentException("method " + method + " must have a request body.");
            }
            this.method = method;
            this.body = body;
            return this;
        }

        public Request build() {
            if (url == null) throw new IllegalStateException("url == null");
            return new Request(this);
        }
    }
}
