package com.exponea.sdk.models;

import java.util.HashMap;

/** Mirror of `data class PropertiesList(var properties: HashMap<String, Any>)`. */
public final class PropertiesList implements harness.testbed.JsonValue {
    private HashMap<String, Object> properties;

    public PropertiesList(HashMap<String, Object> properties) { this.properties = properties; }

    public HashMap<String, Object> getProperties() { return properties; }

    public void setProperties(HashMap<String, Object> properties) { this.properties = properties; }

    public void set(String key, Object value) { if (value != null) properties.put(key, value); }

    @Override public Object toJsonValue() { return properties; }
}
