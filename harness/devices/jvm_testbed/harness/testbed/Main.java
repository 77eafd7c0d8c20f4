package harness.testbed;

/**
 * The jvm:android test bed: a JVM whose classes mirror an Android SDK and its Flutter plugin (the mirrors
 * of each registered SDK are compiled in with it; see harness/devices/jvm_build.py).
 *
 * Usage: java -cp CLASSES harness.testbed.Main [RPC_PORT [direct]]   (or HARNESS_RPC_PORT)
 * Connects to the virtual app's RPC, starts the app's network stack (NetworkStack: the SDK's HTTP
 * goes out through this JVM's OkHttp) unless told "direct", prints "ready PID", then idles until
 * stdin closes, so that Frida can attach and the agents can call the mirror classes as they would
 * call the real SDK.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String port = args.length > 0 ? args[0] : System.getenv("HARNESS_RPC_PORT");
        boolean direct = args.length > 1 && args[1].equals("direct");
        if (port != null && !port.isEmpty()) {
            Rpc.connect(Integer.parseInt(port));
            if (!direct) {
                int stack = NetworkStack.start();
                if (!Rpc.callOnce(Integer.parseInt(port), "app.use_network_stack", Rpc.params("port", stack), 5000)) {
                    System.err.println("test bed: the app did not take the network stack; its SDK sends directly");
                }
            }
        }
        // Load the mirror classes now, as an app process has its SDK loaded before anyone attaches:
        // preload.txt (written by jvm_build.py) names each registered SDK's entry classes, one a line.
        try (java.io.InputStream list = Main.class.getResourceAsStream("preload.txt")) {
            if (list != null) {
                for (String line : new String(list.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        Class.forName(line.strip());
                    }
                }
            }
        }
        Class.forName("okhttp3.internal.connection.RealCall");
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() != -1) {
            // idle: the agents do the work from Frida's thread
        }
    }
}
