package io.flutter.embedding.engine;

import io.flutter.embedding.engine.dart.DartExecutor;
import io.flutter.embedding.engine.plugins.FlutterPlugin;

/**
 * Stand-in for Flutter's FlutterEngine: owns the DartExecutor; {@link #addPlugin} stands for
 * {@code getPlugins().add(plugin)} (what GeneratedPluginRegistrant does for every plugin of the app),
 * which calls the plugin's onAttachedToEngine with a binding on this engine's messenger.
 */
public final class FlutterEngine {
    private final DartExecutor dartExecutor = new DartExecutor();

    public DartExecutor getDartExecutor() { return dartExecutor; }

    public void addPlugin(FlutterPlugin plugin) {
        plugin.onAttachedToEngine(new FlutterPlugin.FlutterPluginBinding(
            android.app.ActivityThread.currentApplication(), dartExecutor));
    }
}
