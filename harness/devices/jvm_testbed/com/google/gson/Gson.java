package com.google.gson;

import harness.testbed.Json;
import com.google.gson.internal.LinkedTreeMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirror of the part of Gson (a dependency Android SDKs commonly ship in every app) the agents
 * use: `new Gson().fromJson(json, HashMap.class)`, which turns a whole JSON object into the
 * `HashMap<String, Any>` a Kotlin API takes in one call instead of one JNI call per value. As in
 * Gson: the requested class at the top, LinkedTreeMap for nested objects, ArrayList for arrays,
 * Double for every number, nulls kept.
 */
public final class Gson {
    public Gson() {}

    @SuppressWarnings("unchecked")
    public <T> T fromJson(String json, Class<T> classOfT) {
        Object parsed = gson(Json.parse(json));
        if (parsed instanceof Map && classOfT == HashMap.class) { // Gson builds the requested class at the top
            HashMap<String, Object> top = new HashMap<>();
            top.putAll((Map<String, Object>) parsed);
            return (T) top;
        }
        return classOfT.cast(parsed);
    }

    private static Object gson(Object v) {
        if (v instanceof Map) {
            LinkedTreeMap<String, Object> m = new LinkedTreeMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) m.put(String.valueOf(e.getKey()), gson(e.getValue()));
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<?>) v) l.add(gson(o));
            return l;
        }
        return v;
    }
}
