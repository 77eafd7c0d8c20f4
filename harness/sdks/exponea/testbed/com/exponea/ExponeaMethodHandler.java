package com.exponea;

import android.content.Context;
import harness.testbed.Trace;
import com.exponea.sdk.Exponea;
import com.exponea.sdk.models.CustomerIds;
import com.exponea.sdk.models.EventType;
import com.exponea.sdk.models.ExponeaConfiguration;
import com.exponea.sdk.models.ExponeaProject;
import com.exponea.sdk.models.FlushMode;
import com.exponea.sdk.models.FlushPeriod;
import com.exponea.sdk.models.NotificationAction;
import com.exponea.sdk.models.NotificationData;
import com.exponea.sdk.models.PropertiesList;
import com.exponea.sdk.models.PurchasedItem;
import io.flutter.plugin.common.MethodCall;
import io.flutter.plugin.common.MethodChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Mirror of the Flutter plugin's handler (Kotlin `private class ExponeaMethodHandler(context)`,
 * package-private on the JVM), for the tracking methods of flutter-sdk-bridge.md §3: it parses the
 * codec's maps the way ExponeaPlugin.kt does (strict types where the plugin is strict) and calls the
 * Exponea mirror, so a Flutter agent is checked against the same canonical calls as the Android one.
 */
final class ExponeaMethodHandler implements MethodChannel.MethodCallHandler {
    private final Context context;
    private ExponeaConfiguration configuration;
    private final Exponea sdk = Exponea.INSTANCE;

    ExponeaMethodHandler(Context context) { this.context = context; }

    @Override
    public void onMethodCall(MethodCall call, MethodChannel.Result result) {
        Trace.record("flutter:" + call.method, "arguments", call.arguments);
        try {
            Object value = dispatch(call.method, call.arguments);
            if (value == NOT_IMPLEMENTED) result.notImplemented();
            else result.success(value);
        } catch (RuntimeException e) {
            result.error("ExponeaPlugin", e.getMessage(), null);
        }
    }

    private static final Object NOT_IMPLEMENTED = new Object();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }

    private void requireConfigured() {
        if (!sdk.isInitialized()) throw new IllegalStateException(
            "Exponea SDK is not configured. Call Exponea.configure() before calling functions of the SDK");
    }

    private Object dispatch(String method, Object args) {
        switch (method) {
            case "configure": return configure(map(args));
            case "isConfigured": return sdk.isInitialized();
            case "getCustomerCookie": requireConfigured(); return sdk.getCustomerCookie();
            case "identifyCustomer": {
                requireConfigured();
                Map<String, Object> m = map(args);
                HashMap<String, String> ids = new HashMap<>();
                map(m.get("ids")).forEach((k, v) -> ids.put(k, (String) v));
                sdk.identifyCustomer(new CustomerIds(ids), new PropertiesList(new HashMap<>(map(m.get("properties")))));
                return null;
            }
            case "anonymize": return anonymize(map(args));
            case "getDefaultProperties": requireConfigured(); return sdk.getDefaultProperties();
            case "setDefaultProperties": requireConfigured(); sdk.setDefaultProperties(new HashMap<>(map(args))); return null;
            case "flush":
                requireConfigured();
                if (sdk.getFlushMode() != FlushMode.MANUAL) throw new IllegalStateException("Flush mode is not manual.");
                sdk.flushData(null);
                return null;
            case "getFlushMode": requireConfigured(); return sdk.getFlushMode().name();
            case "setFlushMode": requireConfigured(); sdk.setFlushMode(FlushMode.valueOf((String) args)); return null;
            case "setFlushPeriod":
                requireConfigured();
                if (sdk.getFlushMode() != FlushMode.PERIOD) throw new IllegalStateException("Flush mode is not periodic.");
                sdk.setFlushPeriod(new FlushPeriod((Integer) args, TimeUnit.SECONDS));
                return null;
            case "trackEvent": {
                requireConfigured();
                Map<String, Object> m = map(args);
                if (m.get("name") == null) throw new IllegalArgumentException("Event.name is required!");
                Object props = m.get("properties");
                // The plugin passes a missing timestamp through as an explicit null.
                sdk.trackEvent(new PropertiesList(new HashMap<>(props == null ? new HashMap<>() : map(props))),
                               (Double) m.get("timestamp"), (String) m.get("name"));
                return null;
            }
            case "trackSessionStart":
            case "trackSessionEnd": {
                requireConfigured();
                boolean start = method.equals("trackSessionStart");
                if (args instanceof Double) {
                    if (start) sdk.trackSessionStart((Double) args); else sdk.trackSessionEnd((Double) args);
                } else if (start) {
                    Exponea.trackSessionStart$default(sdk, 0, 1, null);
                } else {
                    Exponea.trackSessionEnd$default(sdk, 0, 1, null);
                }
                return null;
            }
            case "trackPaymentEvent": {
                requireConfigured();
                Map<String, Object> m = map(args);
                Map<String, Object> item = map(m.get("purchasedItem"));
                Object value = item.get("value");
                if (!(value instanceof Double)) {
                    throw new IllegalArgumentException("Error occurred: Incorrect type for key 'value'. Expected Double got "
                        + (value == null ? "null" : value.getClass().getSimpleName()) + "..");
                }
                // PurchasedItemCoder reads the text fields with the strict getRequired too (flutter-sdk-bridge.md,
                // trackPaymentEvent): a missing or non-String one refuses the call, as the Kotlin constructor would
                for (String key : new String[] {"currency", "paymentSystem", "productId", "productTitle"}) {
                    Object v = item.get(key);
                    if (!(v instanceof String)) {
                        throw new IllegalArgumentException("Error occurred: Incorrect type for key '" + key
                            + "'. Expected String got " + (v == null ? "null" : v.getClass().getSimpleName()) + "..");
                    }
                }
                PurchasedItem p = new PurchasedItem((Double) value, (String) item.get("currency"),
                    (String) item.get("paymentSystem"), (String) item.get("productId"),
                    (String) item.get("productTitle"), (String) item.get("receipt"));
                Object ts = m.get("timestamp");
                sdk.trackPaymentEvent(ts instanceof Double ? (Double) ts : harness.testbed.Rpc.now(), p);
                return null;
            }
            case "trackPushToken": requireConfigured(); sdk.trackPushToken((String) args); return null;
            case "trackHmsPushToken": requireConfigured(); sdk.trackHmsPushToken((String) args); return null;
            case "handlePushToken": sdk.handleNewToken(context, (String) args); return null;
            case "handleHmsPushToken": sdk.handleNewHmsToken(context, (String) args); return null;
            case "trackDeliveredPush":
            case "trackDeliveredPushWithoutTrackingConsent": {
                requireConfigured();
                Map<String, Object> m = map(args);
                double ts = m.get("receivedSeconds") instanceof Double ? (Double) m.get("receivedSeconds")
                    : harness.testbed.Rpc.now();
                if (method.endsWith("Consent")) sdk.trackDeliveredPushWithoutTrackingConsent(notification(m), ts);
                else sdk.trackDeliveredPush(notification(m), ts);
                return null;
            }
            case "trackClickedPush":
            case "trackClickedPushWithoutTrackingConsent": {
                requireConfigured();
                Map<String, Object> m = map(args);
                NotificationAction action = m.get("actionType") == null ? null
                    : new NotificationAction((String) m.get("actionType"), (String) m.get("actionName"), (String) m.get("url"));
                Double ts = m.get("receivedSeconds") instanceof Double ? (Double) m.get("receivedSeconds")
                    : harness.testbed.Rpc.now();
                if (method.endsWith("Consent")) sdk.trackClickedPushWithoutTrackingConsent(notification(m), action, ts);
                else sdk.trackClickedPush(notification(m), action, ts);
                return null;
            }
            case "handleCampaignClick": {
                requireConfigured();
                return sdk.handleCampaignIntent(new android.content.Intent(android.content.Intent.ACTION_VIEW,
                    android.net.Uri.parse((String) args)), context);
            }
            case "stopIntegration": requireConfigured(); sdk.stopIntegration(); return null;
            case "clearLocalCustomerData":
                if (sdk.isInitialized()) throw new IllegalStateException("Exponea SDK was already configured.");
                sdk.clearLocalCustomerData();
                return null;
            default: return NOT_IMPLEMENTED;
        }
    }

    private static NotificationData notification(Map<String, Object> m) {
        Object attrs = m.containsKey("data") ? m.get("data") : m.get("attributes");
        if (attrs == null) return null;
        Object consent = m.get("has_tracking_consent");
        boolean has = consent == null || Boolean.TRUE.equals(consent) || "true".equals(consent)
            || (consent instanceof Number && ((Number) consent).intValue() == 1);
        return new NotificationData(new HashMap<>(map(attrs)), campaign(m.get("url_params")),
            (String) m.get("consent_category_tracking"), has);
    }

    /** NotificationCoder: `url_params` (utm_*, xnpe_cmp) become CampaignData; absent, an empty one. */
    private static com.exponea.sdk.models.CampaignData campaign(Object urlParams) {
        if (!(urlParams instanceof Map)) return new com.exponea.sdk.models.CampaignData();
        Map<String, Object> u = map(urlParams);
        return new com.exponea.sdk.models.CampaignData((String) u.get("utm_source"), (String) u.get("utm_campaign"),
            (String) u.get("utm_content"), (String) u.get("utm_medium"), (String) u.get("utm_term"),
            (String) u.get("xnpe_cmp"), System.currentTimeMillis() / 1000.0, null);
    }

    private Object configure(Map<String, Object> m) {
        if (sdk.isInitialized()) return false;
        ExponeaConfiguration c = new ExponeaConfiguration();
        if (m.get("projectToken") == null) throw new IllegalArgumentException("Property projectToken is required.");
        c.setProjectToken((String) m.get("projectToken"));
        c.setAuthorization("Token " + m.get("authorizationToken"));
        if (m.get("baseUrl") != null) c.setBaseURL((String) m.get("baseUrl"));
        if (m.get("defaultProperties") != null) c.setDefaultProperties(new HashMap<>(map(m.get("defaultProperties"))));
        if (m.get("flushMaxRetries") != null) c.setMaxTries(((Double) m.get("flushMaxRetries")).intValue());
        if (m.get("sessionTimeout") != null) c.setSessionTimeout((Double) m.get("sessionTimeout"));
        if (m.get("automaticSessionTracking") != null) c.setAutomaticSessionTracking((Boolean) m.get("automaticSessionTracking"));
        if (m.get("allowDefaultCustomerProperties") != null) {
            c.setAllowDefaultCustomerProperties((Boolean) m.get("allowDefaultCustomerProperties"));
        }
        if (m.get("pushTokenTrackingFrequency") != null) {
            c.setTokenTrackFrequency(ExponeaConfiguration.TokenFrequency.valueOf((String) m.get("pushTokenTrackingFrequency")));
        }
        if (m.get("requirePushAuthorization") != null) c.setRequirePushAuthorization((Boolean) m.get("requirePushAuthorization"));
        if (m.get("manualSessionAutoClose") != null) c.setManualSessionAutoClose((Boolean) m.get("manualSessionAutoClose"));
        if (m.get("applicationId") != null) c.setApplicationId((String) m.get("applicationId"));
        if (m.get("projectMapping") != null) c.setProjectRouteMap(mapping(map(m.get("projectMapping")), c.getBaseURL()));
        if (m.get("android") != null) parseAndroidConfig(map(m.get("android")), c);
        sdk.init(context, c);
        configuration = c;
        return true;
    }

    /** parseAndroidConfig (§4 `android` sub-map, nulls kept inside): the tracking-relevant key only;
     *  the rest (icon, channel, importance, logging) shape the notification, not the requests. */
    private static void parseAndroidConfig(Map<String, Object> a, ExponeaConfiguration c) {
        Object automatic = a.get("automaticPushNotifications");
        if (automatic != null) c.setAutomaticPushNotification((Boolean) automatic);
    }

    private Object anonymize(Map<String, Object> m) {
        requireConfigured();
        String baseUrl = configuration.getBaseURL(); // NPE in a fresh handler, as in the plugin
        ExponeaProject project = m.get("project") == null ? null : project(map(m.get("project")), baseUrl);
        Map<EventType, List<ExponeaProject>> mapping = m.get("mapping") == null ? null : mapping(map(m.get("mapping")), baseUrl);
        if (project != null && mapping != null) sdk.anonymize(project, mapping);
        else if (project != null) Exponea.anonymize$default(sdk, project, null, 2, null);
        else if (mapping != null) Exponea.anonymize$default(sdk, null, mapping, 1, null);
        else Exponea.anonymize$default(sdk, null, null, 3, null);
        return null;
    }

    private static ExponeaProject project(Map<String, Object> p, String baseUrl) {
        Object url = p.get("baseUrl");
        return new ExponeaProject(url == null ? baseUrl : (String) url, (String) p.get("projectToken"),
                                  "Token " + p.get("authorizationToken"));
    }

    private static Map<EventType, List<ExponeaProject>> mapping(Map<String, Object> m, String baseUrl) {
        Map<EventType, List<ExponeaProject>> out = new HashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getValue() == null) continue;
            List<ExponeaProject> list = new ArrayList<>();
            for (Object p : (List<?>) e.getValue()) list.add(project(map(p), baseUrl));
            out.put(EventType.valueOf(e.getKey()), list);
        }
        return out;
    }
}
