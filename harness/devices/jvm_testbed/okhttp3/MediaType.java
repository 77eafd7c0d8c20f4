package okhttp3;

/** Mirror of {@code okhttp3.MediaType} (a parsed Content-Type). */
public final class MediaType {
    private final String text;

    private MediaType(String text) { this.text = text; }

    /** OkHttp 4's {@code String.toMediaTypeOrNull()} / the Java-facing {@code MediaType.parse}. */
    public static MediaType parse(String text) { return text == null ? null : new MediaType(text.trim()); }

    /** The charset parameter, or null: OkHttp adds "charset=utf-8" to a String body whose type has none. */
    public String charset() {
        for (String part : text.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) return p.substring(8);
        }
        return null;
    }

    @Override
    public String toString() { return text; }
}
