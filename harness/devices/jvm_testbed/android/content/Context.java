package android.content;

/** Stand-in for android.content.Context: the agents only pass it through to the SDK. */
public class Context {
    public Context getApplicationContext() { return this; }

    public Object getSystemService(String name) {
        return "notification".equals(name) ? new android.app.NotificationManager() : null;
    }
}
