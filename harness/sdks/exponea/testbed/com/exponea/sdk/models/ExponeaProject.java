package com.exponea.sdk.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Mirror of `ExponeaProject(baseUrl, projectToken, authorization: String?, inAppContentBlockPlaceholdersAutoLoad)`. */
public final class ExponeaProject implements harness.testbed.JsonValue {
    private final String baseUrl, projectToken, authorization;
    private final List<String> inAppContentBlockPlaceholdersAutoLoad;

    public ExponeaProject(String baseUrl, String projectToken, String authorization, List<String> autoLoad) {
        this.baseUrl = baseUrl;
        this.projectToken = projectToken;
        this.authorization = authorization;
        this.inAppContentBlockPlaceholdersAutoLoad = autoLoad;
    }

    public ExponeaProject(String baseUrl, String projectToken, String authorization) {
        this(baseUrl, projectToken, authorization, new ArrayList<>());
    }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("baseUrl", baseUrl);
        m.put("projectToken", projectToken);
        m.put("authorization", authorization);
        return m;
    }
}
