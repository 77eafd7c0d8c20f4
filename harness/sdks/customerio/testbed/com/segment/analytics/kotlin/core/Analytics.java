package com.segment.analytics.kotlin.core;

import harness.testbed.Rpc;
import harness.testbed.Trace;
import java.util.LinkedHashMap;

/**
 * Mirror of Segment's {@code open class Analytics} (analytics-kotlin core/.../core/Analytics.kt:36),
 * only its {@code fun flush()} (line 575): the Customer.io SDK has no public flush, so the agent
 * reaches this instance through CustomerIO's internal {@code analytics} property and flushes it.
 * Forwards the canonical {@code flush} to the reference SDK.
 */
public class Analytics {
    private final String writeKey;

    public Analytics(String writeKey) { this.writeKey = writeKey; }

    public final String getWriteKey() { return writeKey; }

    public final void flush() {
        Trace.record("flush");
        Rpc.call("sdk.flush", new LinkedHashMap<>());
    }
}
