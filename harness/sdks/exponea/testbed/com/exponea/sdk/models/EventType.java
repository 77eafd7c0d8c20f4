package com.exponea.sdk.models;

/** Mirror of the EventType enum (the keys of projectRouteMap). */
public enum EventType {
    INSTALL, SESSION_START, SESSION_END, TRACK_EVENT, TRACK_CUSTOMER, PAYMENT, PUSH_TOKEN,
    PUSH_DELIVERED, PUSH_OPENED, CAMPAIGN_CLICK, BANNER, APP_INBOX_OPENED, APP_INBOX_CLICKED
}
