package com.exponea.sdk.models;

import java.util.HashMap;

/** Mirror of `CustomerIds(externalIds: HashMap<String, String?>)`; withId refuses "cookie". */
public final class CustomerIds implements harness.testbed.JsonValue {
    private final HashMap<String, String> externalIds;

    public CustomerIds(HashMap<String, String> externalIds) {
        this.externalIds = externalIds;
        this.externalIds.remove("cookie");
    }

    public CustomerIds() { this(new HashMap<>()); }

    public CustomerIds withId(String key, String value) {
        if (!"cookie".equals(key)) externalIds.put(key, value);
        return this;
    }

    public HashMap<String, String> getExternalIds() { return externalIds; }

    @Override public Object toJsonValue() { return externalIds; }
}
