package harness.testbed;

import io.flutter.plugin.common.MethodChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A MethodChannel.Result that records its outcome, for the Flutter agent on HotSpot only.
 *
 * On a phone the agent implements Result with Java.registerClass, which frida-java-bridge builds as
 * a dex file; HotSpot has no DexClassLoader, so on the test bed the agent uses this class instead
 * and reads outcomeJson() after the (synchronous) mirror handler returns.
 */
public final class RecordingResult implements MethodChannel.Result {
    private final Map<String, Object> outcome = new LinkedHashMap<>();

    @Override public synchronized void success(Object result) { outcome.put("kind", "success"); outcome.put("value", result); }

    @Override public synchronized void error(String code, String message, Object details) {
        outcome.put("kind", "error");
        outcome.put("code", code);
        outcome.put("message", message);
    }

    @Override public synchronized void notImplemented() { outcome.put("kind", "notImplemented"); }

    /** {"kind": "success"|"error"|"notImplemented", ...} or null while no answer came. */
    public synchronized String outcomeJson() { return outcome.isEmpty() ? null : Json.encode(outcome); }
}
