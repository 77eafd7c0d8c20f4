package io.customer.sdk.events;

/** Mirror of {@code enum class Metric { Delivered, Opened, Converted, Clicked }} (core/.../events/Metric.kt:9-14). */
public enum Metric {
    Delivered,
    Opened,
    Converted,
    Clicked
}
