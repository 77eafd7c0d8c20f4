package okhttp3;

/** Mirror of {@code okhttp3.Response}: status, headers and body of one call. */
public final class Response {
    private final Request request;
    private final int code;
    private final Headers headers;
    private final ResponseBody body;

    public Response(Request request, int code, Headers headers, ResponseBody body) {
        this.request = request;
        this.code = code;
        this.headers = headers;
        this.body = body;
    }

    public Request request() { return request; }

    public int code() { return code; }

    public Headers headers() { return headers; }

    public ResponseBody body() { return body; }

    public boolean isSuccessful() { return code >= 200 && code < 300; }
}
