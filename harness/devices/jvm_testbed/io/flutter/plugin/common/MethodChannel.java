package io.flutter.plugin.common;

import java.nio.ByteBuffer;

/**
 * Stand-in for Flutter's MethodChannel (shell/platform/android/io/flutter/plugin/common/MethodChannel.java):
 * setMethodCallHandler wraps the plugin's handler in an IncomingMethodCallHandler (field {@code handler})
 * and registers that with the messenger under the channel's name, as the engine's class does. The
 * test bed has no Dart side and no codec: the agents hand decoded MethodCalls to the handler itself.
 */
public class MethodChannel {
    private final BinaryMessenger messenger;
    private final String name;

    public MethodChannel(BinaryMessenger messenger, String name) {
        this.messenger = messenger;
        this.name = name;
    }

    public void setMethodCallHandler(MethodCallHandler handler) {
        messenger.setMessageHandler(name, handler == null ? null : new IncomingMethodCallHandler(handler));
    }

    public interface Result {
        void success(Object result);

        void error(String errorCode, String errorMessage, Object errorDetails);

        void notImplemented();
    }

    public interface MethodCallHandler {
        void onMethodCall(MethodCall call, Result result);
    }

    private final class IncomingMethodCallHandler implements BinaryMessenger.BinaryMessageHandler {
        private final MethodCallHandler handler;

        IncomingMethodCallHandler(MethodCallHandler handler) { this.handler = handler; }

        @Override
        public void onMessage(ByteBuffer message, BinaryMessenger.BinaryReply reply) {
            throw new UnsupportedOperationException("the test bed has no standard codec: call the MethodCallHandler");
        }
    }
}
