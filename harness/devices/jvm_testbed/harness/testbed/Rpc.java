package harness.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test bed's one connection to the virtual app (docs/virtual-rpc.md): JSON lines over TCP on
 * 127.0.0.1. Every mirror SDK method ends here as sdk.NAME with the canonical arguments.
 */
public final class Rpc {
    private static Rpc instance;
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private long nextId = 1;
    /** Durations (ns) of the last RPC round trips to the app process: the test bed's own hop, which a
     * real SDK does not make; benchmarks/frida_call.py reads them (takeHops) to take it out of its figure. */
    private static final long[] HOPS = new long[4096];
    private static int hops = 0;
    /** The virtual app's clock in its last reply (epoch seconds). */
    public static volatile double lastClock = 0;

    private Rpc(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    static synchronized void connect(int port) throws IOException { instance = new Rpc(port); }

    /**
     * One call on a connection of its own that gives up after {@code timeoutMs}: for set-up calls
     * that must not wedge the shared connection when the app does not answer (a hung app is the
     * harness's to report, through the agents' calls, not the test bed's start-up).
     */
    static boolean callOnce(int port, String method, Map<String, Object> params, int timeoutMs) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMs);
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("id", 0);
            req.put("method", method);
            req.put("params", params);
            s.getOutputStream().write((Json.encode(req) + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return line != null && line.contains("\"result\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** Calls the reference SDK; an error reply becomes a RuntimeException naming the method. */
    public static synchronized Object call(String method, Map<String, Object> params) {
        if (instance == null) throw new IllegalStateException("test bed: no RPC connection to the virtual app");
        long start = System.nanoTime();
        try {
            return instance.request(method, params);
        } finally {
            HOPS[hops++ % HOPS.length] = System.nanoTime() - start;
        }
    }

    /** The hop durations (ns) recorded since the last call, oldest first; then starts afresh. */
    public static synchronized long[] takeHops() {
        long[] out = java.util.Arrays.copyOf(HOPS, Math.min(hops, HOPS.length));
        hops = 0;
        return out;
    }

    /**
     * The device's "now" in epoch seconds: the virtual app's clock (which scenarios move with
     * env.advance_clock), not this JVM's, so a default timestamp the Flutter plugin fills in is
     * the same clock the SDK uses.
     */
    public static double now() {
        call("app.ping", new LinkedHashMap<>());
        return lastClock;
    }

    /** Builds a params map from name/value pairs; a value of Rpc.ABSENT leaves the key out. */
    public static Map<String, Object> params(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k + 1 < namesAndValues.length; k += 2) {
            if (namesAndValues[k + 1] != ABSENT) m.put((String) namesAndValues[k], namesAndValues[k + 1]);
        }
        return m;
    }

    public static final Object ABSENT = new Object();

    @SuppressWarnings("unchecked")
    private Object request(String method, Map<String, Object> params) {
        Map<String, Object> req = new LinkedHashMap<>();
        long id = nextId++;
        req.put("id", id);
        req.put("method", method);
        req.put("params", params);
        try {
            out.write((Json.encode(req) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = in.readLine();
            if (line == null) throw new IllegalStateException(method + ": the virtual app closed the RPC connection");
            Trace.rpc(method, params, line);
            Map<String, Object> reply = (Map<String, Object>) Json.parse(line);
            Object clock = reply.get("clock");
            if (clock instanceof Number) lastClock = ((Number) clock).doubleValue();
            Object error = reply.get("error");
            if (error != null) {
                Map<String, Object> e = (Map<String, Object>) error;
                throw new RuntimeException(method + ": " + e.get("type") + ": " + e.get("message"));
            }
            return reply.get("result");
        } catch (IOException e) {
            throw new IllegalStateException(method + ": RPC to the virtual app failed: " + e, e);
        }
    }
}
