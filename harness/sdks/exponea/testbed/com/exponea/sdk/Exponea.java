package com.exponea.sdk;

import android.app.NotificationManager;
import android.content.Context;
import android.content.Intent;
import harness.testbed.Rpc;
import harness.testbed.Trace;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kotlin.jvm.functions.Function1;

/**
 * Mirror of the Kotlin `object Exponea` (SDK 4.10.0) as the JVM sees it: a static INSTANCE, the
 * public methods with their JVM signatures, and the static `name$default(self, args..., mask,
 * marker)` methods Kotlin emits for default arguments (bit i of mask set = parameter i absent).
 * Each method records its argument types (Trace) and forwards the canonical call of
 * docs/sdk-calls.md to the reference SDK over the virtual app's RPC. Absent stays absent.
 */
public final class Exponea {
    public static final Exponea INSTANCE = new Exponea();
    private static final Object A = Rpc.ABSENT;
    private FlushMode flushMode = FlushMode.IMMEDIATE;
    private FlushPeriod flushPeriod = new FlushPeriod(60, java.util.concurrent.TimeUnit.MINUTES);
    private double sessionTimeout = 60.0;
    private boolean automaticSessionTracking = true;
    private HashMap<String, Object> defaultProperties = new HashMap<>();

    private Exponea() {}

    private static Object sdk(String name, Object... params) { return Rpc.call("sdk." + name, Rpc.params(params)); }

    private static boolean absent(int mask, int bit) { return (mask & (1 << bit)) != 0; }

    public synchronized void init(Context context, ExponeaConfiguration configuration) {
        Trace.record("init", "context", context, "configuration", configuration);
        sdk("init", "configuration", configuration);
    }

    public void trackEvent(PropertiesList properties, Double timestamp, String eventType) {
        trackEvent$default(this, properties, timestamp, eventType, 0, null);
    }

    public static void trackEvent$default(Exponea self, PropertiesList properties, Double timestamp, String eventType,
                                          int mask, Object marker) {
        Trace.record("trackEvent", "properties", properties, "timestamp", absent(mask, 1) ? A : timestamp, "eventType", eventType);
        sdk("trackEvent", "eventType", eventType, "properties", properties, "timestamp", absent(mask, 1) ? A : timestamp);
    }

    public void identifyCustomer(CustomerIds customerIds, PropertiesList properties) {
        Trace.record("identifyCustomer", "customerIds", customerIds, "properties", properties);
        sdk("identifyCustomer", "customerIds", customerIds, "properties", properties);
    }

    public void anonymize(ExponeaProject exponeaProject, Map<EventType, List<ExponeaProject>> projectRouteMap) {
        Trace.record("anonymize", "exponeaProject", exponeaProject, "projectRouteMap", projectRouteMap);
        sdk("anonymize", "exponeaProject", exponeaProject == null ? A : exponeaProject,
            "projectRouteMap", projectRouteMap == null ? A : projectRouteMap);
    }

    public static void anonymize$default(Exponea self, ExponeaProject p, Map<EventType, List<ExponeaProject>> m,
                                         int mask, Object marker) {
        self.anonymize(absent(mask, 0) ? null : p, absent(mask, 1) ? null : m);
    }

    public void trackSessionStart(double timestamp) { trackSessionStart$default(this, timestamp, 0, null); }

    public static void trackSessionStart$default(Exponea self, double timestamp, int mask, Object marker) {
        Trace.record("trackSessionStart", "timestamp", absent(mask, 0) ? A : timestamp);
        sdk("trackSessionStart", "timestamp", absent(mask, 0) ? A : timestamp);
    }

    public void trackSessionEnd(double timestamp) { trackSessionEnd$default(this, timestamp, 0, null); }

    public static void trackSessionEnd$default(Exponea self, double timestamp, int mask, Object marker) {
        Trace.record("trackSessionEnd", "timestamp", absent(mask, 0) ? A : timestamp);
        sdk("trackSessionEnd", "timestamp", absent(mask, 0) ? A : timestamp);
    }

    public void trackPushToken(String token) { Trace.record("trackPushToken", "token", token); sdk("trackPushToken", "token", token); }

    public void trackHmsPushToken(String token) {
        Trace.record("trackHmsPushToken", "token", token);
        sdk("trackHmsPushToken", "token", token);
    }

    public void handleNewToken(Context context, String token) {
        Trace.record("handleNewToken", "context", context, "token", token);
        sdk("handleNewToken", "token", token);
    }

    public void handleNewHmsToken(Context context, String token) {
        Trace.record("handleNewHmsToken", "context", context, "token", token);
        sdk("handleNewHmsToken", "token", token);
    }

    public void trackDeliveredPush(NotificationData data, double timestamp) { delivered("trackDeliveredPush", data, timestamp, 0); }

    public static void trackDeliveredPush$default(Exponea self, NotificationData data, double timestamp, int mask, Object m) {
        delivered("trackDeliveredPush", data, timestamp, mask);
    }

    public void trackDeliveredPushWithoutTrackingConsent(NotificationData data, double timestamp) {
        delivered("trackDeliveredPushWithoutTrackingConsent", data, timestamp, 0);
    }

    public static void trackDeliveredPushWithoutTrackingConsent$default(Exponea self, NotificationData data, double timestamp,
                                                                        int mask, Object m) {
        delivered("trackDeliveredPushWithoutTrackingConsent", data, timestamp, mask);
    }

    private static void delivered(String name, NotificationData data, double timestamp, int mask) {
        Object d = absent(mask, 0) ? A : data;
        Object ts = absent(mask, 1) ? A : (Object) timestamp;
        Trace.record(name, "data", d, "timestamp", ts);
        sdk(name, "data", d, "timestamp", ts);
    }

    public void trackClickedPush(NotificationData data, NotificationAction actionData, Double timestamp) {
        clicked("trackClickedPush", data, actionData, timestamp, 0);
    }

    public static void trackClickedPush$default(Exponea self, NotificationData data, NotificationAction actionData,
                                                Double timestamp, int mask, Object m) {
        clicked("trackClickedPush", data, actionData, timestamp, mask);
    }

    public void trackClickedPushWithoutTrackingConsent(NotificationData data, NotificationAction actionData, Double timestamp) {
        clicked("trackClickedPushWithoutTrackingConsent", data, actionData, timestamp, 0);
    }

    public static void trackClickedPushWithoutTrackingConsent$default(Exponea self, NotificationData data,
                                                                      NotificationAction actionData, Double timestamp,
                                                                      int mask, Object m) {
        clicked("trackClickedPushWithoutTrackingConsent", data, actionData, timestamp, mask);
    }

    private static void clicked(String name, NotificationData data, NotificationAction action, Double timestamp, int mask) {
        Object d = absent(mask, 0) ? A : data;
        Object a = absent(mask, 1) ? A : action;
        Object ts = absent(mask, 2) ? A : timestamp;
        Trace.record(name, "data", d, "actionData", a, "timestamp", ts);
        sdk(name, "data", d, "actionData", a, "timestamp", ts);
    }

    public void trackPaymentEvent(double timestamp, PurchasedItem purchasedItem) {
        trackPaymentEvent$default(this, timestamp, purchasedItem, 0, null);
    }

    public static void trackPaymentEvent$default(Exponea self, double timestamp, PurchasedItem purchasedItem, int mask, Object m) {
        Object ts = absent(mask, 0) ? A : (Object) timestamp;
        Trace.record("trackPaymentEvent", "timestamp", ts, "purchasedItem", purchasedItem);
        sdk("trackPaymentEvent", "purchasedItem", purchasedItem, "timestamp", ts);
    }

    public boolean handleCampaignIntent(Intent intent, Context appContext) {
        Trace.record("handleCampaignIntent", "intent", intent, "appContext", appContext);
        Object r = sdk("handleCampaignIntent", "url", intent == null || intent.getData() == null ? null : intent.getData().toString());
        return Boolean.TRUE.equals(r);
    }

    public boolean handleRemoteMessage(Context applicationContext, Map<String, String> messageData,
                                       NotificationManager manager, boolean showNotification) {
        Trace.record("handleRemoteMessage", "applicationContext", applicationContext, "messageData", messageData,
                     "manager", manager, "showNotification", showNotification);
        return Boolean.TRUE.equals(sdk("handleRemoteMessage", "messageData", messageData, "showNotification", showNotification));
    }

    public void flushData(Function1<Object, Object> onFlushFinished) {
        Trace.record("flushData", "onFlushFinished", onFlushFinished);
        sdk("flushData");
    }

    public static void flushData$default(Exponea self, Function1<Object, Object> cb, int mask, Object m) { self.flushData(null); }

    public void stopIntegration() { Trace.record("stopIntegration"); sdk("stopIntegration"); }

    public void clearLocalCustomerData() { Trace.record("clearLocalCustomerData"); sdk("clearLocalCustomerData"); }

    public FlushMode getFlushMode() { return flushMode; }

    public void setFlushMode(FlushMode mode) {
        Trace.record("setFlushMode", "mode", mode);
        sdk("setFlushMode", "mode", mode);
        flushMode = mode;
    }

    public FlushPeriod getFlushPeriod() { return flushPeriod; }

    public void setFlushPeriod(FlushPeriod period) {
        Trace.record("setFlushPeriod", "period", period);
        sdk("setFlushPeriod", "seconds", (double) period.getTimeUnit().toSeconds(period.getAmount()));
        flushPeriod = period;
    }

    public double getSessionTimeout() { return sessionTimeout; }

    public void setSessionTimeout(double seconds) {
        Trace.record("setSessionTimeout", "seconds", seconds);
        sdk("setSessionTimeout", "seconds", seconds);
        sessionTimeout = seconds;
    }

    public boolean isAutomaticSessionTracking() { return automaticSessionTracking; }

    public void setAutomaticSessionTracking(boolean enabled) {
        Trace.record("setAutomaticSessionTracking", "enabled", enabled);
        sdk("setAutomaticSessionTracking", "enabled", enabled);
        automaticSessionTracking = enabled;
    }

    public HashMap<String, Object> getDefaultProperties() { return defaultProperties; }

    public void setDefaultProperties(HashMap<String, Object> properties) {
        Trace.record("setDefaultProperties", "properties", properties);
        sdk("setDefaultProperties", "properties", properties);
        defaultProperties = properties;
    }

    public String getCustomerCookie() { Object r = sdk("getCustomerCookie"); return r == null ? null : r.toString(); }

    public boolean isInitialized() { return Boolean.TRUE.equals(sdk("isInitialized")); }
}
