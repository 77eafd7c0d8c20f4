package harness.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The app's network stack on the test bed: the reference SDK (the virtual app process) hands each
 * HTTP request here, and it goes out through this JVM's OkHttp ({@code client.newCall(request).enqueue})
 * as a real SDK's requests do inside the app. That puts the SDK's traffic where the in-app capture's
 * OkHttp hooks can see it, so those hooks run for real on the test bed.
 *
 * Protocol (JSON lines on one TCP connection per sender, 127.0.0.1 only): request
 * {@code {"method", "url", "headers": [[name, value], ...], "body": base64 or null}}; reply
 * {@code {"status", "headers": [[name, value], ...], "body": base64}} or
 * {@code {"error": "connect"|"timeout"|"io"|"request", "message"}}.
 */
public final class NetworkStack {
    /** The app's one OkHttp client, as the SDK keeps one. */
    static final OkHttpClient CLIENT = new OkHttpClient();

    private NetworkStack() {}

    /** Listens on an ephemeral loopback port and serves every connection on its own thread. */
    public static int start() throws IOException {
        final ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> serve(s), "network-stack");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "network-stack-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }

    private static void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                Map<String, Object> reply = handle(line);
                out.write((Json.encode(reply) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the sender went away (the app process was killed): nothing to answer
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> handle(String line) {
        Request request;
        try {
            Map<String, Object> msg = (Map<String, Object>) Json.parse(line);
            Request.Builder b = new Request.Builder().url((String) msg.get("url"));
            String contentType = null;
            for (Object pair : (List<Object>) msg.get("headers")) {
                List<Object> nv = (List<Object>) pair;
                String name = (String) nv.get(0), value = (String) nv.get(1);
                if (name.equalsIgnoreCase("content-type")) contentType = value;
                b.addHeader(name, value);
            }
            Object body = msg.get("body");
            RequestBody requestBody = null;
            if (body != null) {
                byte[] bytes = Base64.getDecoder().decode((String) body);
                requestBody = RequestBody.create(MediaType.parse(contentType), bytes);
            }
            String method = (String) msg.get("method");
            b.method(method, requestBody == null && method.equals("POST") ? RequestBody.create(null, new byte[0]) : requestBody);
            request = b.build();
        } catch (RuntimeException e) {
            return error("request", String.valueOf(e));
        }
        CompletableFuture<Response> done = new CompletableFuture<>();
        Call call = CLIENT.newCall(request);
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) { done.completeExceptionally(e); }

            @Override
            public void onResponse(Call c, Response r) { done.complete(r); }
        });
        try {
            Response response = done.get();
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("status", response.code());
            List<Object> headers = new ArrayList<>();
            for (int i = 0; i < response.headers().size(); i++) {
                headers.add(List.of(response.headers().name(i), response.headers().value(i)));
            }
            reply.put("headers", headers);
            reply.put("body", Base64.getEncoder().encodeToString(response.body().bytes()));
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("io", "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String kind = cause instanceof HttpTimeoutException ? "timeout" : cause instanceof ConnectException ? "connect" : "io";
            return error(kind, String.valueOf(cause));
        }
    }

    private static Map<String, Object> error(String kind, String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("error", kind);
        reply.put("message", message);
        return reply;
    }
}
