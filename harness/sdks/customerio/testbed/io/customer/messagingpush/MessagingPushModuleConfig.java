package io.customer.messagingpush;

/**
 * Mirror of {@code MessagingPushModuleConfig} and its Builder (customerio-android
 * messagingpush/src/main/java/io/customer/messagingpush/MessagingPushModuleConfig.kt:16-59):
 * {@code autoTrackPushEvents}, default true.
 */
public final class MessagingPushModuleConfig {
    private final boolean autoTrackPushEvents;

    private MessagingPushModuleConfig(boolean autoTrackPushEvents) { this.autoTrackPushEvents = autoTrackPushEvents; }

    public boolean getAutoTrackPushEvents() { return autoTrackPushEvents; }

    public static final class Builder {
        private boolean autoTrackPushEvents = true;

        public Builder setAutoTrackPushEvents(boolean autoTrackPushEvents) {
            this.autoTrackPushEvents = autoTrackPushEvents;
            return this;
        }

        public MessagingPushModuleConfig build() { return new MessagingPushModuleConfig(autoTrackPushEvents); }
    }
}
