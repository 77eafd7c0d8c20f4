package com.antsomi.antsomisdk;

import harness.testbed.Trace;
import io.flutter.embedding.engine.plugins.FlutterPlugin;
import io.flutter.plugin.common.MethodCall;
import io.flutter.plugin.common.MethodChannel;
import com.antsomi.standin.AntsomiStandIn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the Antsomi CDP365 Flutter plugin's Android side (pub.dev `antsomisdk`): a plugin
 * that registers a MethodCallHandler for the {@code antsomisdk} channel, with the Dart API's method
 * names of research other-sdks.md B2. The real class and its argument handling are not public; this one
 * exists to prove that the generic Flutter agent drives a plugin it knows nothing about.
 *
 * Every call is recorded with its arguments' Java types and values (Trace.recordValues, method
 * "antsomi:" + name), its arguments checked (a required argument of the wrong type is an error, as a
 * Kotlin cast would be; an unknown method is notImplemented), then handed to the native SDK under it,
 * the bed's STAND-IN (com.antsomi.standin.AntsomiStandIn, which forwards to the virtual app's stand-in
 * reference SDK): config answers true, the getters answer the SDK's value, the rest null. A failure of
 * the SDK is an error of the channel, as the plugin's catch would make it.
 */
public final class AntsomiSdkPlugin implements FlutterPlugin, MethodChannel.MethodCallHandler {
    public static final AntsomiSdkPlugin LIVE = new AntsomiSdkPlugin();

    static { harness.testbed.FlutterHost.ENGINE.addPlugin(LIVE); }

    @Override
    public void onAttachedToEngine(FlutterPluginBinding binding) {
        new MethodChannel(binding.getBinaryMessenger(), "antsomisdk").setMethodCallHandler(this);
    }

    @Override
    public synchronized void onMethodCall(MethodCall call, MethodChannel.Result result) {
        Trace.recordValues("antsomi:" + call.method, "arguments", call.arguments);
        Object args = call.arguments;
        Map<String, Object> forward = new LinkedHashMap<>();
        try {
            switch (call.method) {
                case "config":
                    required(args, "portalId", String.class);
                    required(args, "propsId", String.class);
                    forward = map(args);
                    break;
                case "setCustomerProperties":
                    required(args, "customerId", String.class);
                    optional(args, "customerProperties", Map.class);
                    forward = map(args);
                    break;
                case "setUid":
                    forward.put("uid", args instanceof String ? (String) args : required(args, "uid", String.class));
                    break;
                case "track":
                    required(args, "en", String.class);
                    optional(args, "items", List.class);
                    for (String key : new String[] {"objectProps", "customerProps", "userProps", "eventProps"}) {
                        optional(args, key, Map.class);
                    }
                    forward = map(args);
                    break;
                case "trackScreen":
                    required(args, "name", String.class);
                    forward = map(args);
                    break;
                case "resetCustomer": case "removeCustomer": case "getUid": case "resetUid":
                case "getCustomerId": case "getPortalId": case "getPropsId":
                    break;
                default: result.notImplemented(); return;
            }
        } catch (IllegalArgumentException e) {
            result.error("antsomisdk", e.getMessage(), call.method);
            return;
        }
        Object value;
        try {
            value = AntsomiStandIn.call(call.method, forward);
        } catch (RuntimeException e) {
            result.error("antsomisdk", e.getMessage(), call.method);
            return;
        }
        boolean answers = call.method.equals("config") || call.method.startsWith("get");
        result.success(answers ? value : null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) args).entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        return out;
    }

    private static <T> T required(Object args, String key, Class<T> type) {
        T value = optional(args, key, type);
        if (value == null) throw new IllegalArgumentException(key + " is required");
        return value;
    }

    private static <T> T optional(Object args, String key, Class<T> type) {
        if (!(args instanceof Map)) throw new IllegalArgumentException("arguments must be a map, not " + describe(args));
        Object value = ((Map<?, ?>) args).get(key);
        if (value == null) return null;
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(key + " must be a " + type.getName() + ", not " + describe(value));
        }
        return type.cast(value);
    }

    private static String describe(Object o) { return o == null ? "null" : o.getClass().getName(); }
}
