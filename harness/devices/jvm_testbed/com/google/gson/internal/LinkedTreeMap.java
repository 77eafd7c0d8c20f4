package com.google.gson.internal;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Set;

/** Mirror of Gson's map for nested JSON objects: an insertion-ordered AbstractMap (not a HashMap). */
public final class LinkedTreeMap<K, V> extends AbstractMap<K, V> {
    private final LinkedHashMap<K, V> entries = new LinkedHashMap<>();

    @Override public V put(K key, V value) { return entries.put(key, value); }

    @Override public V get(Object key) { return entries.get(key); }

    @Override public Set<Entry<K, V>> entrySet() { return entries.entrySet(); }
}
