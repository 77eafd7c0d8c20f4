package okhttp3;

import java.io.IOException;

/** Mirror of {@code okhttp3.Callback}. */
public interface Callback {
    void onFailure(Call call, IOException e);

    void onResponse(Call call, Response response) throws IOException;
}
