package com.segment.analytics.kotlin.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;

/**
 * Mirror of Segment's {@code open class RequestFactory} (analytics-kotlin
 * core/src/main/java/com/segment/analytics/kotlin/core/HTTPClient.kt:146-178): every URL the SDK
 * opens goes through {@code openConnection(url)}, built as {@code "https://$cdnHost/projects/$writeKey/settings"}
 * (line 156) and {@code "https://$apiHost/b"} (line 167). The harness's agent hooks openConnection to
 * reach a plain-HTTP collector ({@code configuration.scheme = "http"}); the CustomerIO mirror asks this
 * class which scheme its uploads would use, so the hook is what decides it on the test bed too.
 */
public class RequestFactory {
    public HttpURLConnection settings(String cdnHost, String writeKey) {
        return openConnection("https://" + cdnHost + "/projects/" + writeKey + "/settings");
    }

    public HttpURLConnection upload(String apiHost) { return openConnection("https://" + apiHost + "/b"); }

    /** Opens (never connects) the connection, as HttpURLConnection does until it is used. */
    public HttpURLConnection openConnection(String url) {
        try {
            return (HttpURLConnection) new URL(url).openConnection();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
