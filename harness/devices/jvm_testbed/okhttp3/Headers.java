package okhttp3;

import java.util.ArrayList;
import java.util.List;

/** Mirror of {@code okhttp3.Headers}: ordered name/value pairs, names compared without case. */
public final class Headers {
    private final List<String> namesAndValues;

    Headers(List<String> namesAndValues) { this.namesAndValues = new ArrayList<>(namesAndValues); }

    /** OkHttp's {@code Headers.of(name, value, ...)}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("Expected alternating header names and values");
        return new Headers(java.util.Arrays.asList(namesAndValues));
    }

    public int size() { return namesAndValues.size() / 2; }

    public String name(int index) { return namesAndValues.get(index * 2); }

    public String value(int index) { return namesAndValues.get(index * 2 + 1); }

    public String get(String name) {
        for (int i = size() - 1; i >= 0; i--) if (name(i).equalsIgnoreCase(name)) return value(i);
        return null;
    }

    List<String> pairs() { return namesAndValues; }
}
