package io.customer.sdk;

import harness.testbed.Rpc;
import harness.testbed.Trace;
import com.segment.analytics.kotlin.core.Analytics;
import com.segment.analytics.kotlin.core.RequestFactory;
import io.customer.datapipelines.config.ScreenView;
import io.customer.messagingpush.ModuleMessagingPushFCM;
import io.customer.sdk.core.module.CustomerIOModule;
import io.customer.sdk.data.model.Region;
import io.customer.sdk.events.TrackMetric;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * Mirror of {@code class CustomerIO private constructor(...)} (customerio-android 4.19.0,
 * datapipelines/src/main/kotlin/io/customer/sdk/CustomerIO.kt:64) as the JVM sees it:
 * <ul>
 *   <li>the companion (line 432) with {@code @JvmStatic fun instance()} (lines 450-455, throws until
 *   initialized) and {@code @JvmStatic fun initialize(config: CustomerIOConfig)} (lines 475-476), so both
 *   {@code CustomerIO.Companion.instance()} and the static {@code CustomerIO.instance()} exist;</li>
 *   <li>the public calls of {@code DataPipelineInstance} (DataPipelineInstance.kt): identify/track/screen
 *   with {@code @JvmOverloads} (one overload without the map: the SDK's own emptyMap() default),
 *   clearIdentify, trackMetric, registerDeviceToken, deleteDeviceToken, setProfileAttributes,
 *   setDeviceAttributes;</li>
 *   <li>{@code internal val analytics: Analytics} (line 103): Kotlin mangles an internal getter with the
 *   module name, {@code getAnalytics$datapipelines_release}, and keeps the backing field {@code analytics}.</li>
 * </ul>
 * Each method records its argument types (Trace) and forwards the canonical call (CIO_CONTRACT calls.py
 * vocabulary) to the reference SDK in the virtual app. An argument the app left out stays absent.
 */
public final class CustomerIO {
    public static final Companion Companion = new Companion();
    private static volatile CustomerIO instance;
    private static final Object A = Rpc.ABSENT;

    private final Analytics analytics;

    private CustomerIO(CustomerIOConfig config) { this.analytics = new Analytics(config.cdpApiKey); }

    private static Object sdk(String name, Object... params) { return Rpc.call("sdk." + name, Rpc.params(params)); }

    private static final java.time.format.DateTimeFormatter ISO =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * A caller's map as the reference SDK takes it on the RPC: a {@code java.util.Date} (which the real SDK
     * serializes as null, analytics-kotlin JSON.kt:396-429) becomes the canonical {@code {"$date": ISO}}
     * (docs/sdk-calls.md), at any depth; everything else is unchanged.
     */
    static Object canonical(Object v) {
        if (v instanceof java.util.Date) {
            return java.util.Collections.singletonMap("$date", ISO.format(((java.util.Date) v).toInstant()));
        }
        if (v instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) out.put(e.getKey(), canonical(e.getValue()));
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new java.util.ArrayList<>();
            for (Object o : (List<?>) v) out.add(canonical(o));
            return out;
        }
        return v;
    }

    /** The Kotlin companion object: where {@code instance()} and {@code initialize()} really live. */
    public static final class Companion {
        private Companion() {}

        public CustomerIO instance() {
            CustomerIO i = instance;
            if (i == null) throw new IllegalStateException(
                "CustomerIO is not initialized. CustomerIO.initialize() must be called before obtaining SDK instance.");
            return i;
        }

        public void initialize(CustomerIOConfig config) {
            Trace.record("initialize", "config", config, "applicationContext", config.applicationContext);
            sdk("init", "configuration", configuration(config));
            synchronized (CustomerIO.class) {
                if (instance == null) instance = new CustomerIO(config); // a second initialize keeps the instance
            }
        }
    }

    public static CustomerIO instance() { return Companion.instance(); }

    public static void initialize(CustomerIOConfig config) { Companion.initialize(config); }

    /** The configuration as the canonical init call names it; the scheme is the one uploads would use. */
    private static Map<String, Object> configuration(CustomerIOConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cdpApiKey", c.cdpApiKey);
        m.put("region", c.region.getCode().toUpperCase(Locale.ROOT));
        if (c.apiHost != null) m.put("apiHost", c.apiHost);
        if (c.cdnHost != null) m.put("cdnHost", c.cdnHost);
        m.put("flushAt", c.flushAt);
        m.put("flushInterval", c.flushInterval);
        m.put("trackApplicationLifecycleEvents", c.trackApplicationLifecycleEvents);
        m.put("autoTrackDeviceAttributes", c.autoTrackDeviceAttributes);
        m.put("screenViewUse", c.screenViewUse instanceof ScreenView.InApp ? "InApp" : "All");
        for (CustomerIOModule module : c.modules) {
            if (module instanceof ModuleMessagingPushFCM) {
                m.put("autoTrackPushEvents", ((ModuleMessagingPushFCM) module).getModuleConfig().getAutoTrackPushEvents());
            }
        }
        String host = c.apiHost != null ? c.apiHost : (c.region instanceof Region.EU ? "cdp-eu.customer.io/v1" : "cdp.customer.io/v1");
        m.put("scheme", new RequestFactory().upload(host).getURL().getProtocol());
        return m;
    }

    public void identify(String userId) {
        Trace.record("identify", "userId", userId, "traits", A);
        sdk("identify", "userId", userId);
    }

    public void identify(String userId, Map<String, Object> traits) {
        Trace.record("identify", "userId", userId, "traits", traits);
        sdk("identify", "userId", userId, "traits", canonical(traits));
    }

    public void track(String name) {
        Trace.record("track", "name", name, "properties", A);
        sdk("track", "name", name);
    }

    public void track(String name, Map<String, Object> properties) {
        Trace.record("track", "name", name, "properties", properties);
        sdk("track", "name", name, "properties", canonical(properties));
    }

    public void screen(String title) {
        Trace.record("screen", "title", title, "properties", A);
        sdk("screen", "title", title);
    }

    public void screen(String title, Map<String, Object> properties) {
        Trace.record("screen", "title", title, "properties", properties);
        sdk("screen", "title", title, "properties", canonical(properties));
    }

    public void clearIdentify() { Trace.record("clearIdentify"); sdk("clearIdentify"); }

    public void setProfileAttributes(Map<String, Object> attributes) {
        Trace.record("setProfileAttributes", "attributes", attributes);
        sdk("setProfileAttributes", "attributes", canonical(attributes));
    }

    public void setDeviceAttributes(Map<String, Object> attributes) {
        Trace.record("setDeviceAttributes", "attributes", attributes);
        sdk("setDeviceAttributes", "attributes", canonical(attributes));
    }

    public void registerDeviceToken(String deviceToken) {
        Trace.record("registerDeviceToken", "deviceToken", deviceToken);
        sdk("registerDeviceToken", "token", deviceToken);
    }

    public void deleteDeviceToken() { Trace.record("deleteDeviceToken"); sdk("deleteDeviceToken"); }

    public void trackMetric(TrackMetric event) {
        Trace.record("trackMetric", "event", event);
        if (!(event instanceof TrackMetric.Push)) throw new UnsupportedOperationException("test bed: only TrackMetric.Push is mirrored");
        TrackMetric.Push push = (TrackMetric.Push) event;
        // Metric.serializedName: name.lowercase(Locale.ENGLISH) (core/.../events/Metric.kt:20-21)
        sdk("trackMetric", "deliveryId", push.getDeliveryId(), "deviceToken", push.getDeviceToken(),
            "event", push.getMetric().name().toLowerCase(Locale.ENGLISH));
    }

    /** The Kotlin-internal getter of {@code analytics}, name-mangled with the Gradle module. */
    public final Analytics getAnalytics$datapipelines_release() { return analytics; }
}
