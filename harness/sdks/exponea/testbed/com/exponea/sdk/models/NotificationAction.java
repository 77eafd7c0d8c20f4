package com.exponea.sdk.models;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mirror of `NotificationAction(actionType: String, actionName: String?, url: String?)`. */
public final class NotificationAction implements harness.testbed.JsonValue {
    private final String actionType, actionName, url;

    public NotificationAction(String actionType, String actionName, String url) {
        this.actionType = actionType;
        this.actionName = actionName;
        this.url = url;
    }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("actionType", actionType);
        m.put("actionName", actionName);
        m.put("url", url);
        return m;
    }
}
