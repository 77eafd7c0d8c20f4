package okhttp3;

import java.net.http.HttpClient;
import java.time.Duration;
import okhttp3.internal.connection.RealCall;

/**
 * Mirror of {@code okhttp3.OkHttpClient}: {@code newCall} gives a {@link RealCall}, whose
 * {@code getResponseWithInterceptorChain$okhttp} is where OkHttp 4 runs a call and where the
 * in-app capture hooks (harness/instrument/agents/_okhttp_capture.js). The wire work is done by
 * the JDK's HTTP client (HTTP/1.1, OkHttp's 10 s default timeouts).
 */
public class OkHttpClient {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public OkHttpClient() {}

    public Call newCall(Request request) { return new RealCall(this, request, false); }

    /** The test bed's wire (not part of OkHttp's API). */
    public HttpClient wire() { return http; }

    public int readTimeoutMillis() { return 10_000; }
}
