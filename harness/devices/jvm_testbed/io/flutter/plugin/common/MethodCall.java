package io.flutter.plugin.common;

/** Stand-in for Flutter's MethodCall: a method name and the codec-decoded arguments. */
public final class MethodCall {
    public final String method;
    public final Object arguments;

    public MethodCall(String method, Object arguments) { this.method = method; this.arguments = arguments; }

    @SuppressWarnings("unchecked")
    public <T> T arguments() { return (T) arguments; }

    @SuppressWarnings("unchecked")
    public <T> T argument(String key) {
        return arguments instanceof java.util.Map ? (T) ((java.util.Map<String, Object>) arguments).get(key) : null;
    }
}
