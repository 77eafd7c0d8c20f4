package com.exponea.sdk.models;

/** Mirror of the FlushMode enum. */
public enum FlushMode { PERIOD, APP_CLOSE, MANUAL, IMMEDIATE }
