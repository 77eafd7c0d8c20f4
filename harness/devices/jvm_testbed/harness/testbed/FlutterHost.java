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

    /** A channel whose handler is not a MethodChannel's (as a BasicMessageChannel registers one). */
    public static final String RAW_CHANNEL = "harness/raw_messages";

    /** A channel Dart sent on before any plugin registered a handler: the engine only buffers its message. */
    public static final String UNHANDLED_CHANNEL = "harness/not_registered_yet";

    static {
        ENGINE.getDartExecutor().setMessageHandler(RAW_CHANNEL, (message, reply) -> reply.reply(null));
        ENGINE.getDartExecutor().deliverFromDart(UNHANDLED_CHANNEL, java.nio.ByteBuffer.allocate(0));
    }
}
