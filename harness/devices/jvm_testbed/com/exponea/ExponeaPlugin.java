package com.exponea;

import android.content.Context;

/**
 * Mirror of the Flutter plugin class com.exponea.ExponeaPlugin: on a phone, onAttachedToEngine
 * creates the `com.exponea` MethodChannel with an ExponeaMethodHandler kept in `methodHandler`.
 * The test bed makes one at class load, as the Flutter engine would at app start.
 */
public final class ExponeaPlugin {
    public static final ExponeaPlugin LIVE = new ExponeaPlugin(android.app.ActivityThread.currentApplication());
    private final ExponeaMethodHandler methodHandler;

    public ExponeaPlugin(Context context) { methodHandler = new ExponeaMethodHandler(context); }

    public io.flutter.plugin.common.MethodChannel.MethodCallHandler getMethodHandler() { return methodHandler; }
}
