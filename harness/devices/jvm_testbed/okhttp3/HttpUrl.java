package okhttp3;

import java.net.URI;

/** Mirror of {@code okhttp3.HttpUrl}: the request's absolute URL. */
public final class HttpUrl {
    private final URI uri;

    private HttpUrl(URI uri) { this.uri = uri; }

    /** OkHttp 4's {@code String.toHttpUrl()}; an unusable URL is an IllegalArgumentException, as there. */
    public static HttpUrl get(String url) {
        URI u = URI.create(url);
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("Expected URL scheme 'http' or 'https' but was " + url);
        }
        return new HttpUrl(u);
    }

    public String host() { return uri.getHost(); }

    public String encodedPath() { return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath(); }

    public String encodedQuery() { return uri.getRawQuery(); }

    public URI uri() { return uri; }

    @Override
    public String toString() { return uri.toString(); }
}
