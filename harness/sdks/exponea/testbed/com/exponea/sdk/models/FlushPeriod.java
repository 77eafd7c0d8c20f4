package com.exponea.sdk.models;

import java.util.concurrent.TimeUnit;

/** Mirror of `FlushPeriod(amount: Long, timeUnit: TimeUnit)`. */
public final class FlushPeriod {
    private final long amount;
    private final TimeUnit timeUnit;

    public FlushPeriod(long amount, TimeUnit timeUnit) { this.amount = amount; this.timeUnit = timeUnit; }

    public long getAmount() { return amount; }

    public TimeUnit getTimeUnit() { return timeUnit; }
}
