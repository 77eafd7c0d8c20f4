package io.customer.sdk.events;

/**
 * Mirror of {@code sealed interface TrackMetric} and its {@code data class Push(metric, deliveryId,
 * deviceToken)} (customerio-android core/src/main/kotlin/io/customer/sdk/events/TrackMetric.kt:7-22).
 */
public interface TrackMetric {
    Metric getMetric();

    String getDeliveryId();

    final class Push implements TrackMetric {
        private final Metric metric;
        private final String deliveryId;
        private final String deviceToken;

        public Push(Metric metric, String deliveryId, String deviceToken) {
            this.metric = metric;
            this.deliveryId = deliveryId;
            this.deviceToken = deviceToken;
        }

        @Override public Metric getMetric() { return metric; }

        @Override public String getDeliveryId() { return deliveryId; }

        public String getDeviceToken() { return deviceToken; }
    }
}
