package harness.testbed;

import java.io.FileWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debug hook: records the Java classes of the arguments every mirror method received, so tests can
 * prove that an agent passed java.lang.Double (not Integer), java.util.HashMap, the SDK's model
 * classes and so on. One JSON line per call to the file named by HARNESS_TESTBED_TRACE, if set.
 */
public final class Trace {
    private static final String PATH = System.getenv("HARNESS_TESTBED_TRACE");

    private Trace() {}

    public static synchronized void record(String method, Object... namesAndValues) {
        write(method, false, namesAndValues);
    }

    /**
     * As record, plus "values": what each argument held (primitive arrays as lists, a map with a
     * non-String key as a list of [key, value] pairs), for mirrors whose tests check exact values.
     */
    public static synchronized void recordValues(String method, Object... namesAndValues) {
        write(method, true, namesAndValues);
    }

    private static void write(String method, boolean withValues, Object... namesAndValues) {
        if (PATH == null) return;
        Map<String, Object> args = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int k = 0; k + 1 < namesAndValues.length; k += 2) {
            Object value = namesAndValues[k + 1];
            args.put((String) namesAndValues[k], value == Rpc.ABSENT ? "absent" : typeOf(value));
            if (withValues) values.put((String) namesAndValues[k], plain(value));
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("method", method);
        line.put("args", args);
        if (withValues) line.put("values", values);
        try (FileWriter w = new FileWriter(PATH, true)) {
            w.write(Json.encode(line) + "\n");
        } catch (IOException e) {
            System.err.println("trace: " + e);
        }
    }

    /**
     * Records one RPC exchange with the virtual app: the canonical call exactly as sent (its JSON
     * params) and the raw reply line, so tests see what reached the reference SDK and what it said.
     */
    public static synchronized void rpc(String method, Map<String, Object> params, String replyLine) {
        if (PATH == null) return;
        try (FileWriter w = new FileWriter(PATH, true)) {
            w.write("{\"rpc\":" + Json.encode(method) + ",\"params\":" + Json.encode(params) + ",\"reply\":" + replyLine + "}\n");
        } catch (IOException e) {
            System.err.println("trace: " + e);
        }
    }

    /** A value as JSON can hold it: primitive arrays as lists, a map with a non-String key as [key, value] pairs. */
    static Object plain(Object v) {
        if (v != null && v.getClass().isArray() && v.getClass().getComponentType().isPrimitive()) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) l.add(java.lang.reflect.Array.get(v, i));
            return l;
        }
        if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            boolean text = true;
            for (Object k : m.keySet()) text &= k instanceof String;
            if (text) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.put((String) e.getKey(), plain(e.getValue()));
                return out;
            }
            List<Object> pairs = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                List<Object> pair = new ArrayList<>();
                pair.add(plain(e.getKey()));
                pair.add(plain(e.getValue()));
                pairs.add(pair);
            }
            return pairs;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<?>) v) l.add(plain(o));
            return l;
        }
        return v;
    }

    /** "java.lang.Double", or for containers and models {"@": class, member: type...}. */
    static Object typeOf(Object v) {
        if (v == null) return "null";
        String cls = v.getClass().getName();
        Object inner = v instanceof JsonValue ? ((JsonValue) v).toJsonValue() : v;
        if (v instanceof JsonValue && !(inner instanceof Map)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("@", cls);
            m.put("value", typeOf(inner));
            return m;
        }
        if (inner instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("@", cls);
            if (v instanceof JsonValue) m.put("@map", ((Map<?, ?>) inner).getClass().getName());
            for (Object k : ((Map<?, ?>) inner).keySet()) {
                if (!(k instanceof String)) m.put("@key", k == null ? "null" : k.getClass().getName());
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) inner).entrySet()) m.put(String.valueOf(e.getKey()), typeOf(e.getValue()));
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            l.add(cls);
            for (Object o : (List<?>) v) l.add(typeOf(o));
            return l;
        }
        return cls;
    }
}
