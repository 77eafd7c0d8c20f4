package io.customer.customer_io;

import android.app.ActivityThread;
import android.app.Application;
import harness.testbed.Trace;
import io.customer.datapipelines.config.ScreenView;
import io.customer.messagingpush.MessagingPushModuleConfig;
import io.customer.messagingpush.ModuleMessagingPushFCM;
import io.customer.sdk.CustomerIO;
import io.customer.sdk.CustomerIOConfigBuilder;
import io.customer.sdk.data.model.Region;
import io.customer.sdk.events.Metric;
import io.customer.sdk.events.TrackMetric;
import io.flutter.embedding.engine.plugins.FlutterPlugin;
import io.flutter.plugin.common.MethodCall;
import io.flutter.plugin.common.MethodChannel;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;

/**
 * Mirror of the Flutter plugin's handler of the {@code customer_io} channel (customerio-flutter 4.1.2,
 * android/src/main/kotlin/io/customer/customer_io/CustomerIOPlugin.kt:69-248), method for method:
 * the same argument keys (Args, lines 283-294), the same {@code getAs<T>} (a value of another type
 * reads as null, utils/MapExtensions.kt), the same choices (empty traits or properties call the
 * overload without the map, lines 98-117 and 180-184; empty attributes call nothing, lines 155-171;
 * the metric name matched case-insensitively, line 140), and the same answers (Unit -> success(true),
 * an exception -> error(method, message), bridge/MethodCallExtensions.kt).
 *
 * Test-bed differences, none on what reaches the SDK: the real plugin gets its Context in
 * onAttachedToEngine (not mirrored; this reads the app's Application instead), and builds its
 * configuration with the deprecated CustomerIOBuilder, whose build() initializes the SDK with the same
 * values that CustomerIOConfigBuilder + CustomerIO.initialize pass here. It always adds the FCM push
 * module with the default config (CustomerIOPushMessaging.kt:83-103: autoTrackPushEvents stays true).
 */
public final class CustomerIOPlugin implements MethodChannel.MethodCallHandler, FlutterPlugin {
    /** The app's plugin, added to the test bed's engine at class load as GeneratedPluginRegistrant would. */
    public static final CustomerIOPlugin LIVE = new CustomerIOPlugin();

    static { harness.testbed.FlutterHost.ENGINE.addPlugin(LIVE); }

    public CustomerIOPlugin() {}

    /** CustomerIOPlugin.kt onAttachedToEngine: the {@code customer_io} channel, this as its handler. */
    @Override
    public void onAttachedToEngine(FlutterPluginBinding binding) {
        new MethodChannel(binding.getBinaryMessenger(), "customer_io").setMethodCallHandler(this);
    }

    @Override
    public void onMethodCall(MethodCall call, MethodChannel.Result result) {
        Trace.record("flutter:" + call.method, "arguments", call.arguments);
        Map<String, Object> args = map(call.arguments);
        try {
            switch (call.method) {
                case "clearIdentify": CustomerIO.instance().clearIdentify(); break;
                case "deleteDeviceToken": CustomerIO.instance().deleteDeviceToken(); break;
                case "identify": identify(args); break;
                case "initialize": initialize(args); break;
                case "registerDeviceToken":
                    CustomerIO.instance().registerDeviceToken(required(getAs(args, "token", String.class),
                        "Device token is missing in params: " + args));
                    break;
                case "screen": screen(args); break;
                case "setDeviceAttributes": attributes(args, true); break;
                case "setProfileAttributes": attributes(args, false); break;
                case "track": track(args); break;
                case "trackMetric": trackMetric(args); break;
                default: result.notImplemented(); return;
            }
            result.success(true);
        } catch (RuntimeException e) {
            result.error(call.method, e.getMessage(), null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Collections.emptyMap();
    }

    @SuppressWarnings("unchecked")
    private static <T> T getAs(Map<String, Object> m, String key, Class<T> type) {
        Object v = m.get(key);
        return type.isInstance(v) ? (T) v : null;
    }

    private static <T> T required(T value, String message) {
        if (value == null) throw new IllegalArgumentException(message);
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapAt(Map<String, Object> m, String key) { return getAs(m, key, Map.class); }

    private void identify(Map<String, Object> params) {
        String userId = getAs(params, "userId", String.class);
        Map<String, Object> traits = mapAt(params, "traits");
        if (traits == null) traits = Collections.emptyMap();
        if (userId == null && traits.isEmpty()) return; // logger.error("Please provide either an ID or traits...")
        if (userId != null && !traits.isEmpty()) CustomerIO.instance().identify(userId, traits);
        else if (userId != null) CustomerIO.instance().identify(userId);
        else CustomerIO.instance().setProfileAttributes(traits);
    }

    private void track(Map<String, Object> params) {
        String name = required(getAs(params, "name", String.class), "Event name is missing in params: " + params);
        Map<String, Object> properties = mapAt(params, "properties");
        if (properties == null || properties.isEmpty()) CustomerIO.instance().track(name);
        else CustomerIO.instance().track(name, properties);
    }

    private void screen(Map<String, Object> params) {
        String title = required(getAs(params, "title", String.class), "Screen title is missing in params: " + params);
        Map<String, Object> properties = mapAt(params, "properties");
        if (properties == null || properties.isEmpty()) CustomerIO.instance().screen(title);
        else CustomerIO.instance().screen(title, properties);
    }

    private void attributes(Map<String, Object> params, boolean device) {
        Map<String, Object> attributes = mapAt(params, "attributes");
        if (attributes == null || attributes.isEmpty()) return; // logger.error("... attributes are missing ...")
        if (device) CustomerIO.instance().setDeviceAttributes(attributes);
        else CustomerIO.instance().setProfileAttributes(attributes);
    }

    private void trackMetric(Map<String, Object> params) {
        String deliveryId = getAs(params, "deliveryId", String.class);
        String deliveryToken = getAs(params, "deliveryToken", String.class);
        String eventName = getAs(params, "metricEvent", String.class);
        if (deliveryId == null || deliveryToken == null || eventName == null) {
            throw new IllegalArgumentException("Missing required parameters");
        }
        Metric event = null;
        for (Metric m : Metric.values()) {
            if (m.name().toLowerCase(Locale.ENGLISH).equalsIgnoreCase(eventName)) event = m;
        }
        if (event == null) throw new IllegalArgumentException("Invalid metric event name");
        CustomerIO.instance().trackMetric(new TrackMetric.Push(event, deliveryId, deliveryToken));
    }

    private void initialize(Map<String, Object> args) {
        Application application = ActivityThread.currentApplication();
        String cdpApiKey = required(getAs(args, "cdpApiKey", String.class), "CDP API Key is required to initialize Customer.io");
        String region = getAs(args, "region", String.class);
        String screenView = getAs(args, "screenViewUse", String.class);
        CustomerIOConfigBuilder b = new CustomerIOConfigBuilder(application, cdpApiKey);
        // Region.getRegion / ScreenView.getScreenView: case-insensitive, unknown -> US / All
        if (region != null) b.region("eu".equalsIgnoreCase(region) ? Region.EU.INSTANCE : Region.US.INSTANCE);
        if (screenView != null) b.screenViewUse("inapp".equalsIgnoreCase(screenView) ? ScreenView.InApp.INSTANCE : ScreenView.All.INSTANCE);
        String migrationSiteId = getAs(args, "migrationSiteId", String.class);
        if (migrationSiteId != null) b.migrationSiteId(migrationSiteId);
        Boolean deviceAttributes = getAs(args, "autoTrackDeviceAttributes", Boolean.class);
        if (deviceAttributes != null) b.autoTrackDeviceAttributes(deviceAttributes);
        Boolean lifecycle = getAs(args, "trackApplicationLifecycleEvents", Boolean.class);
        if (lifecycle != null) b.trackApplicationLifecycleEvents(lifecycle);
        Integer flushAt = getAs(args, "flushAt", Integer.class);
        if (flushAt != null) b.flushAt(flushAt);
        Integer flushInterval = getAs(args, "flushInterval", Integer.class);
        if (flushInterval != null) b.flushInterval(flushInterval);
        String apiHost = getAs(args, "apiHost", String.class);
        if (apiHost != null) b.apiHost(apiHost);
        String cdnHost = getAs(args, "cdnHost", String.class);
        if (cdnHost != null) b.cdnHost(cdnHost);
        b.addCustomerIOModule(new ModuleMessagingPushFCM(new MessagingPushModuleConfig.Builder().build()));
        CustomerIO.initialize(b.build());
    }
}
