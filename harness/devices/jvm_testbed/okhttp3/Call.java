package okhttp3;

import java.io.IOException;

/** Mirror of {@code okhttp3.Call}. */
public interface Call {
    Request request();

    Response execute() throws IOException;

    void enqueue(Callback responseCallback);
}
