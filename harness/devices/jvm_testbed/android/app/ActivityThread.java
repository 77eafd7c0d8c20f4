package android.app;

/** Stand-in for the hidden android.app.ActivityThread: agents get the app Context from it. */
public final class ActivityThread {
    private static final Application APP = new Application();

    public static Application currentApplication() { return APP; }
}
