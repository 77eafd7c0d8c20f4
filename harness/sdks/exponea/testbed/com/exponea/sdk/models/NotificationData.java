package com.exponea.sdk.models;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Mirror of `NotificationData(attributes, campaignData, consentCategoryTracking: String?, hasTrackingConsent)`. */
public final class NotificationData implements harness.testbed.JsonValue {
    private final HashMap<String, Object> attributes;
    private final CampaignData campaignData;
    private final String consentCategoryTracking;
    private final boolean hasTrackingConsent;

    public NotificationData(HashMap<String, Object> attributes, CampaignData campaignData,
                            String consentCategoryTracking, boolean hasTrackingConsent) {
        this.attributes = attributes;
        this.campaignData = campaignData;
        this.consentCategoryTracking = consentCategoryTracking;
        this.hasTrackingConsent = hasTrackingConsent;
    }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attributes", attributes);
        m.put("campaignData", campaignData);
        m.put("consentCategoryTracking", consentCategoryTracking);
        m.put("hasTrackingConsent", hasTrackingConsent);
        return m;
    }
}
