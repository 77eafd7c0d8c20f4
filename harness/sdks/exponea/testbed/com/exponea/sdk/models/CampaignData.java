package com.exponea.sdk.models;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mirror of CampaignData (utm_* and xnpe_cmp of a push or deep link); the no-arg form is empty. */
public final class CampaignData implements harness.testbed.JsonValue {
    private final String source, campaign, content, medium, term, payload, completeUrl;
    private final double createdAt;

    public CampaignData(String source, String campaign, String content, String medium, String term,
                        String payload, double createdAt, String completeUrl) {
        this.source = source;
        this.campaign = campaign;
        this.content = content;
        this.medium = medium;
        this.term = term;
        this.payload = payload;
        this.createdAt = createdAt;
        this.completeUrl = completeUrl;
    }

    public CampaignData() { this(null, null, null, null, null, null, System.currentTimeMillis() / 1000.0, null); }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (source != null) m.put("source", source);
        if (campaign != null) m.put("campaign", campaign);
        if (content != null) m.put("content", content);
        if (medium != null) m.put("medium", medium);
        if (term != null) m.put("term", term);
        if (payload != null) m.put("payload", payload);
        if (completeUrl != null) m.put("completeUrl", completeUrl);
        return m;
    }
}
