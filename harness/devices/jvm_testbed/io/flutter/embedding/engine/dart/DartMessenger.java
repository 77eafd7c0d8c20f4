package io.flutter.embedding.engine.dart;

import io.flutter.plugin.common.BinaryMessenger;
import java.util.HashMap;
import java.util.Map;

/**
 * Stand-in for Flutter's DartMessenger (shell/platform/android/io/flutter/embedding/engine/dart/DartMessenger.java):
 * the engine's table of channel name -> HandlerInfo(handler, taskQueue) in {@code messageHandlers}, the
 * table the generic Flutter agent (_flutter.js) reads to find a plugin's handler by channel name.
 */
public final class DartMessenger implements BinaryMessenger {
    private final Map<String, HandlerInfo> messageHandlers = new HashMap<>();

    @Override
    public synchronized void setMessageHandler(String channel, BinaryMessageHandler handler) {
        if (handler == null) messageHandlers.remove(channel);
        else messageHandlers.put(channel, new HandlerInfo(handler, null));
    }

    static class HandlerInfo {
        public final BinaryMessageHandler handler;
        public final Object taskQueue;

        HandlerInfo(BinaryMessageHandler handler, Object taskQueue) {
            this.handler = handler;
            this.taskQueue = taskQueue;
        }
    }
}
