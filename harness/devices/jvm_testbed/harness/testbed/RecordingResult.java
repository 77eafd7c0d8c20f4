package harness.testbed;

import io.flutter.plugin.common.MethodChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A MethodChannel.Result that records its outcome, for the Flutter agent on HotSpot only.
 *
 * On a phone the agent implements Result with Java.registerClass, which frida-java-bridge builds as
 * a dex file; HotSpot has no DexClassLoader, so on the test bed the agent uses this class instead
 * and reads the outcome after the (synchronous) mirror handler returns: kind() and the values as the
 * handler gave them (value(), details(): Java objects, so the agent reads their types).
 */
public final class RecordingResult implements MethodChannel.Result {
    private final Map<String, Object> outcome = new LinkedHashMap<>();
    private Object value;
    private Object details;

    @Override public synchronized void success(Object result) { outcome.put("kind", "success"); value = result; }

    @Override public synchronized void error(String code, String message, Object details) {
        outcome.put("kind", "error");
        outcome.put("code", code);
        outcome.put("message", message);
        this.details = details;
    }

    @Override public synchronized void notImplemented() { outcome.put("kind", "notImplemented"); }

    /** "success", "error" or "notImplemented"; null while no answer came. */
    public synchronized String kind() { return (String) outcome.get("kind"); }

    public synchronized Object value() { return value; }

    public synchronized String code() { return (String) outcome.get("code"); }

    public synchronized String message() { return (String) outcome.get("message"); }

    public synchronized Object details() { return details; }
}
