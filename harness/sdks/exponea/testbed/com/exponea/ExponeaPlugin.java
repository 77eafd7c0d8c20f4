package com.exponea;

import android.app.NotificationManager;
import android.content.Context;
import android.content.Intent;
import harness.testbed.Trace;
import com.exponea.sdk.Exponea;
import io.flutter.embedding.engine.plugins.FlutterPlugin;
import io.flutter.plugin.common.MethodChannel;
import java.util.Map;

/**
 * Mirror of the Flutter plugin class com.exponea.ExponeaPlugin: on a phone, onAttachedToEngine
 * creates the `com.exponea` MethodChannel with an ExponeaMethodHandler kept in `methodHandler`
 * (ExponeaPlugin.kt:71-77). The test bed makes one at class load and adds it to the test bed's Flutter
 * engine, as GeneratedPluginRegistrant does at app start, so the handler is registered under
 * `com.exponea` in the engine's DartMessenger, where the generic Flutter agent finds it.
 *
 * Its Kotlin companion object (the static field `Companion`) has the helpers a Flutter app's
 * Android code calls from its own services (flutter-sdk-bridge.md §1.2); they forward to Exponea.
 */
public final class ExponeaPlugin implements FlutterPlugin {
    public static final ExponeaPlugin LIVE = new ExponeaPlugin(android.app.ActivityThread.currentApplication());
    public static final Companion Companion = new Companion();
    private final ExponeaMethodHandler methodHandler;

    static { harness.testbed.FlutterHost.ENGINE.addPlugin(LIVE); }

    public ExponeaPlugin(Context context) { methodHandler = new ExponeaMethodHandler(context); }

    @Override
    public void onAttachedToEngine(FlutterPluginBinding binding) {
        new MethodChannel(binding.getBinaryMessenger(), "com.exponea").setMethodCallHandler(methodHandler);
    }

    public io.flutter.plugin.common.MethodChannel.MethodCallHandler getMethodHandler() { return methodHandler; }

    /** `ExponeaPlugin.Companion` as the JVM sees it (`com.exponea.ExponeaPlugin$Companion`). */
    public static final class Companion {
        private Companion() {}

        public void handleCampaignIntent(Intent intent, Context context) {
            Trace.record("flutter.Companion.handleCampaignIntent", "intent", intent, "context", context);
            Exponea.INSTANCE.handleCampaignIntent(intent, context);
        }

        public void handleRemoteMessage(Context context, Map<String, String> messageData, NotificationManager manager,
                                        boolean showNotification) {
            Trace.record("flutter.Companion.handleRemoteMessage", "context", context, "messageData", messageData,
                         "manager", manager, "showNotification", showNotification);
            Exponea.INSTANCE.handleRemoteMessage(context, messageData, manager, showNotification);
        }

        public void trackGmsPushToken(String token) { Exponea.INSTANCE.trackPushToken(token); }

        public void trackHmsPushToken(String token) { Exponea.INSTANCE.trackHmsPushToken(token); }

        public void handleNewGmsToken(Context context, String token) { Exponea.INSTANCE.handleNewToken(context, token); }

        public void handleNewHmsToken(Context context, String token) { Exponea.INSTANCE.handleNewHmsToken(context, token); }
    }
}
