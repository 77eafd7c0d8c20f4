package io.flutter.plugin.common;

import java.nio.ByteBuffer;

/**
 * Stand-in for Flutter's BinaryMessenger (shell/platform/android/io/flutter/plugin/common/BinaryMessenger.java):
 * the part a channel uses to register its handler under the channel's name.
 */
public interface BinaryMessenger {
    interface BinaryMessageHandler {
        void onMessage(ByteBuffer message, BinaryReply reply);
    }

    interface BinaryReply {
        void reply(ByteBuffer reply);
    }

    void setMessageHandler(String channel, BinaryMessageHandler handler);
}
