package android.content;

/** Stand-in for android.content.Intent(action, uri), used by handleCampaignIntent. */
public class Intent {
    public static final String ACTION_VIEW = "android.intent.action.VIEW";
    private final String action;
    private final android.net.Uri data;

    public Intent(String action, android.net.Uri data) { this.action = action; this.data = data; }

    public String getAction() { return action; }

    public android.net.Uri getData() { return data; }
}
