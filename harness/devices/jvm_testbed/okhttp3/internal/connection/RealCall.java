package okhttp3.internal.connection;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * Mirror of OkHttp 4's {@code okhttp3.internal.connection.RealCall}: {@code execute} and
 * {@code enqueue} both end in {@code getResponseWithInterceptorChain$okhttp} (Kotlin's name for an
 * {@code internal} function), which here plays the interceptor chain: the bridge interceptor's
 * headers (User-Agent okhttp/4.12.0, Content-Type from the body), then the wire.
 */
public final class RealCall implements Call {
    private static final String USER_AGENT = "okhttp/4.12.0";
    /** Headers the JDK's client sets itself and refuses from callers. */
    private static final Set<String> WIRE_OWNED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final OkHttpClient client;
    private final Request originalRequest;
    private final boolean forWebSocket;

    public RealCall(OkHttpClient client, Request originalRequest, boolean forWebSocket) {
        this.client = client;
        this.originalRequest = originalRequest;
        this.forWebSocket = forWebSocket;
    }

    @Override
    public Request request() { return originalRequest; }

    public Request getOriginalRequest() { return originalRequest; }

    @Override
    public Response execute() throws IOException { return getResponseWithInterceptorChain$okhttp(); }

    @Override
    public void enqueue(final Callback responseCallback) {
        Thread t = new Thread(() -> {
            Response response;
            try {
                response = getResponseWithInterceptorChain$okhttp();
            } catch (IOException e) {
                responseCallback.onFailure(this, e);
                return;
            }
            try {
                responseCallback.onResponse(this, response);
            } catch (IOException e) {
                responseCallback.onFailure(this, e);
            }
        }, "OkHttp " + originalRequest.url());
        t.setDaemon(true);
        t.start();
    }

    public Response getResponseWithInterceptorChain$okhttp() throws IOException {
        Request request = originalRequest;
        HttpRequest.Builder wire = HttpRequest.newBuilder(request.url().uri())
                .timeout(Duration.ofMillis(client.readTimeoutMillis()));
        boolean hasAgent = false, hasType = false;
        for (int i = 0; i < request.headers().size(); i++) {
            String name = request.headers().name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (WIRE_OWNED.contains(lower)) continue;
            hasAgent |= lower.equals("user-agent");
            if (lower.equals("content-type")) {
                if (request.body() != null && request.body().contentType() != null) continue; // the body's wins
                hasType = true;
            }
            wire.header(name, request.headers().value(i));
        }
        RequestBody body = request.body();
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null) {
            Buffer buffer = new Buffer();
            body.writeTo(buffer);
            publisher = HttpRequest.BodyPublishers.ofByteArray(buffer.readByteArray());
            if (body.contentType() != null) wire.header("Content-Type", body.contentType().toString());
        }
        if (!hasAgent) wire.header("User-Agent", USER_AGENT);
        wire.method(request.method(), publisher);
        HttpResponse<byte[]> got;
        try {
            got = client.wire().send(wire.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Canceled", e);
        }
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, List<String>> h : got.headers().map().entrySet()) {
            for (String v : h.getValue()) {
                pairs.add(h.getKey());
                pairs.add(v);
            }
        }
        return new Response(request, got.statusCode(), Headers.of(pairs.toArray(new String[0])),
                ResponseBody.create(null, got.body()));
    }
}
