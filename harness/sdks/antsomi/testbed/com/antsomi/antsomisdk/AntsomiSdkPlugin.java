package com.antsomi.antsomisdk;

import harness.testbed.Trace;
import io.flutter.embedding.engine.plugins.FlutterPlugin;
import io.flutter.plugin.common.MethodCall;
import io.flutter.plugin.common.MethodChannel;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in for the Antsomi CDP365 Flutter plugin's Android side (pub.dev `antsomisdk`): a plugin
 * that registers a MethodCallHandler for the {@code antsomisdk} channel, with the Dart API's method
 * names of research other-sdks.md B2. The real class and its argument handling are not public; this one
 * exists to prove that the generic Flutter agent drives a plugin it knows nothing about.
 *
 * Every call is recorded with its arguments' Java types and values (Trace.recordValues, method
 * "antsomi:" + name). Getters answer from the state the setters leave: config's portalId and propsId,
 * the UID (a random one at start, replaced by setUid / resetUid), the customer id of
 * setCustomerProperties (cleared by resetCustomer / removeCustomer). A required argument of the wrong
 * type is an error (as a Kotlin cast would be); an unknown method is notImplemented.
 */
public final class AntsomiSdkPlugin implements FlutterPlugin, MethodChannel.MethodCallHandler {
    public static final AntsomiSdkPlugin LIVE = new AntsomiSdkPlugin();

    static { harness.testbed.FlutterHost.ENGINE.addPlugin(LIVE); }

    private String portalId;
    private String propsId;
    private String uid = UUID.randomUUID().toString();
    private String customerId;

    @Override
    public void onAttachedToEngine(FlutterPluginBinding binding) {
        new MethodChannel(binding.getBinaryMessenger(), "antsomisdk").setMethodCallHandler(this);
    }

    @Override
    public synchronized void onMethodCall(MethodCall call, MethodChannel.Result result) {
        Trace.recordValues("antsomi:" + call.method, "arguments", call.arguments);
        Object args = call.arguments;
        try {
            switch (call.method) {
                case "config":
                    portalId = required(args, "portalId", String.class);
                    propsId = required(args, "propsId", String.class);
                    result.success(Boolean.TRUE);
                    return;
                case "setCustomerProperties":
                    customerId = required(args, "customerId", String.class);
                    optional(args, "customerProperties", Map.class);
                    break;
                case "resetCustomer":
                case "removeCustomer":
                    customerId = null;
                    break;
                case "getUid": result.success(uid); return;
                case "setUid":
                    uid = args instanceof String ? (String) args : required(args, "uid", String.class);
                    break;
                case "resetUid": uid = UUID.randomUUID().toString(); break;
                case "track":
                    required(args, "en", String.class);
                    optional(args, "items", List.class);
                    for (String key : new String[] {"objectProps", "customerProps", "userProps", "eventProps"}) {
                        optional(args, key, Map.class);
                    }
                    break;
                case "trackScreen": required(args, "name", String.class); break;
                case "getCustomerId": result.success(customerId); return;
                case "getPortalId": result.success(portalId); return;
                case "getPropsId": result.success(propsId); return;
                default: result.notImplemented(); return;
            }
            result.success(null);
        } catch (IllegalArgumentException e) {
            result.error("antsomisdk", e.getMessage(), call.method);
        }
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
