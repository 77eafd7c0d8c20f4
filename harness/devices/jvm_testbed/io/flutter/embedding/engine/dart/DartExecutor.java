package io.flutter.embedding.engine.dart;

import io.flutter.plugin.common.BinaryMessenger;

/**
 * Stand-in for Flutter's DartExecutor: the BinaryMessenger plugins receive, forwarding to its
 * {@code dartMessenger} as the engine's class does.
 */
public final class DartExecutor implements BinaryMessenger {
    private final DartMessenger dartMessenger = new DartMessenger();

    @Override
    public void setMessageHandler(String channel, BinaryMessageHandler handler) {
        dartMessenger.setMessageHandler(channel, handler);
    }

    /** Stands for the engine delivering a message Dart sent on {@code channel}. */
    public void deliverFromDart(String channel, java.nio.ByteBuffer message) {
        dartMessenger.handleMessageFromDart(channel, message);
    }
}
