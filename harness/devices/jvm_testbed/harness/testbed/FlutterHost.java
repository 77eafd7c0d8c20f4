package harness.testbed;

import io.flutter.embedding.engine.FlutterEngine;

/**
 * The test bed app's one Flutter engine (on a phone the FlutterActivity or the app creates it). Each
 * vendor's plugin mirror adds itself here when its class loads (the test bed's GeneratedPluginRegistrant),
 * so its handler is registered under its channel name exactly where the generic Flutter agent looks.
 */
public final class FlutterHost {
    private FlutterHost() {}

    public static final FlutterEngine ENGINE = new FlutterEngine();
}
