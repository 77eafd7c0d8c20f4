package com.exponea.sdk.models;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirror of the Kotlin data class ExponeaConfiguration (all constructor parameters have defaults and
 * are `var`, so Kotlin emits a no-arg constructor and a setter per field; agents use those).
 * Only the fields of docs/sdk-calls.md `init` are mirrored, with the SDK 4.10.0 defaults.
 */
public final class ExponeaConfiguration implements harness.testbed.JsonValue {
    public enum TokenFrequency { ON_TOKEN_CHANGE, EVERY_LAUNCH, DAILY }

    public enum HttpLoggingLevel { NONE, BASIC, HEADERS, BODY }

    private String projectToken = "";
    private Map<EventType, List<ExponeaProject>> projectRouteMap = new HashMap<>();
    private String authorization = null;
    private String baseURL = "https://api.exponea.com";
    private HttpLoggingLevel httpLoggingLevel = HttpLoggingLevel.BODY;
    private int maxTries = 10;
    private double sessionTimeout = 60.0;
    private double campaignTTL = 10.0;
    private boolean automaticSessionTracking = true;
    private boolean automaticPushNotification = true;
    private boolean requirePushAuthorization = false;
    private HashMap<String, Object> defaultProperties = new HashMap<>();
    private TokenFrequency tokenTrackFrequency = TokenFrequency.ON_TOKEN_CHANGE;
    private boolean allowDefaultCustomerProperties = true;
    private boolean manualSessionAutoClose = true;
    private String applicationId = "default-application";

    public ExponeaConfiguration() {}

    public void setProjectToken(String v) { projectToken = v; }
    public void setProjectRouteMap(Map<EventType, List<ExponeaProject>> v) { projectRouteMap = v; }
    public void setAuthorization(String v) { authorization = v; }
    public void setBaseURL(String v) { baseURL = v; }
    public void setHttpLoggingLevel(HttpLoggingLevel v) { httpLoggingLevel = v; }
    public void setMaxTries(int v) { maxTries = v; }
    public void setSessionTimeout(double v) { sessionTimeout = v; }
    public void setCampaignTTL(double v) { campaignTTL = v; }
    public void setAutomaticSessionTracking(boolean v) { automaticSessionTracking = v; }
    public void setAutomaticPushNotification(boolean v) { automaticPushNotification = v; }
    public void setRequirePushAuthorization(boolean v) { requirePushAuthorization = v; }
    public void setDefaultProperties(HashMap<String, Object> v) { defaultProperties = v; }
    public void setTokenTrackFrequency(TokenFrequency v) { tokenTrackFrequency = v; }
    public void setAllowDefaultCustomerProperties(boolean v) { allowDefaultCustomerProperties = v; }
    public void setManualSessionAutoClose(boolean v) { manualSessionAutoClose = v; }
    public void setApplicationId(String v) { applicationId = v; }

    public String getProjectToken() { return projectToken; }
    public String getBaseURL() { return baseURL; }
    public String getAuthorization() { return authorization; }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectToken", projectToken);
        m.put("authorization", authorization);
        m.put("baseURL", baseURL);
        m.put("projectRouteMap", projectRouteMap);
        m.put("defaultProperties", defaultProperties);
        m.put("automaticSessionTracking", automaticSessionTracking);
        m.put("sessionTimeout", sessionTimeout);
        m.put("campaignTTL", campaignTTL);
        m.put("tokenTrackFrequency", tokenTrackFrequency);
        m.put("requirePushAuthorization", requirePushAuthorization);
        m.put("allowDefaultCustomerProperties", allowDefaultCustomerProperties);
        m.put("manualSessionAutoClose", manualSessionAutoClose);
        m.put("applicationId", applicationId);
        m.put("maxTries", maxTries);
        m.put("automaticPushNotification", automaticPushNotification);
        m.put("httpLoggingLevel", httpLoggingLevel);
        return m;
    }
}
