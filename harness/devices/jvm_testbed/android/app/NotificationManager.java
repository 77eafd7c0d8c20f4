package android.app;

/** Stand-in for android.app.NotificationManager (handleRemoteMessage takes one). */
public class NotificationManager {}
