package io.flutter.embedding.engine.dart;

import io.flutter.plugin.common.BinaryMessenger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stand-in for Flutter's DartMessenger (shell/platform/android/io/flutter/embedding/engine/dart/DartMessenger.java):
 * the engine's table of channel name -> HandlerInfo(handler, taskQueue) in {@code messageHandlers}, the
 * table the generic Flutter agent (_flutter.js) reads to find a plugin's handler by channel name.
 */
public final class DartMessenger implements BinaryMessenger {
    // The engine's other maps, in its declaration order: keyed by channel name too (messages that came
    // before any handler) or by other keys. The agent must find the handler map among them by what it holds.
    private final Map<String, List<ByteBuffer>> bufferedMessages = new HashMap<>();
    private final Map<String, HandlerInfo> messageHandlers = new HashMap<>();
    private final Map<Integer, BinaryReply> pendingReplies = new HashMap<>();

    @Override
    public synchronized void setMessageHandler(String channel, BinaryMessageHandler handler) {
        if (handler == null) {
            messageHandlers.remove(channel);
            return;
        }
        messageHandlers.put(channel, new HandlerInfo(handler, null));
        bufferedMessages.remove(channel); // the engine hands them to the new handler
    }

    /** A message from Dart (FlutterJNI's delivery): kept until a handler registers, as the engine buffers it. */
    public synchronized void handleMessageFromDart(String channel, ByteBuffer message) {
        if (!messageHandlers.containsKey(channel)) {
            bufferedMessages.computeIfAbsent(channel, k -> new ArrayList<>()).add(message);
        }
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
