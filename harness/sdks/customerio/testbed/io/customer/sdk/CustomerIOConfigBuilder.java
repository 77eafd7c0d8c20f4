package io.customer.sdk;

import android.app.Application;
import io.customer.datapipelines.config.ScreenView;
import io.customer.sdk.core.module.CustomerIOModule;
import io.customer.sdk.data.model.Region;
import java.util.ArrayList;
import java.util.List;

/**
 * Mirror of {@code class CustomerIOConfigBuilder(applicationContext: Application, cdpApiKey: String)}
 * (customerio-android datapipelines/src/main/kotlin/io/customer/sdk/CustomerIOConfigBuilder.kt:27-233):
 * the same defaults (Defaults companion, lines 35-50: US, no host overrides, flushAt 20, flushInterval
 * 30, lifecycle and device-attribute tracking on, ScreenView.All) and one fluent setter per option.
 */
public final class CustomerIOConfigBuilder {
    private final Application applicationContext;
    private final String cdpApiKey;
    private Region region = Region.US.INSTANCE;
    private String apiHost;
    private String cdnHost;
    private int flushAt = 20;
    private int flushInterval = 30;
    private boolean trackApplicationLifecycleEvents = true;
    private boolean autoTrackDeviceAttributes = true;
    private boolean autoTrackActivityScreens = false;
    private String migrationSiteId;
    private ScreenView screenViewUse = ScreenView.All.INSTANCE;
    private final List<CustomerIOModule> modules = new ArrayList<>();

    public CustomerIOConfigBuilder(Application applicationContext, String cdpApiKey) {
        if (applicationContext == null || cdpApiKey == null) throw new NullPointerException("Parameter specified as non-null is null");
        this.applicationContext = applicationContext;
        this.cdpApiKey = cdpApiKey;
    }

    public CustomerIOConfigBuilder region(Region region) { this.region = region; return this; }

    public CustomerIOConfigBuilder apiHost(String apiHost) { this.apiHost = apiHost; return this; }

    public CustomerIOConfigBuilder cdnHost(String cdnHost) { this.cdnHost = cdnHost; return this; }

    public CustomerIOConfigBuilder flushAt(int flushAt) { this.flushAt = flushAt; return this; }

    public CustomerIOConfigBuilder flushInterval(int flushInterval) { this.flushInterval = flushInterval; return this; }

    public CustomerIOConfigBuilder trackApplicationLifecycleEvents(boolean track) {
        this.trackApplicationLifecycleEvents = track;
        return this;
    }

    public CustomerIOConfigBuilder autoTrackDeviceAttributes(boolean track) { this.autoTrackDeviceAttributes = track; return this; }

    public CustomerIOConfigBuilder autoTrackActivityScreens(boolean track) { this.autoTrackActivityScreens = track; return this; }

    public CustomerIOConfigBuilder migrationSiteId(String migrationSiteId) { this.migrationSiteId = migrationSiteId; return this; }

    public CustomerIOConfigBuilder screenViewUse(ScreenView screenView) { this.screenViewUse = screenView; return this; }

    public CustomerIOConfigBuilder addCustomerIOModule(CustomerIOModule module) { modules.add(module); return this; }

    public CustomerIOConfig build() {
        return new CustomerIOConfig(applicationContext, cdpApiKey, region, apiHost, cdnHost, flushAt, flushInterval,
                                    trackApplicationLifecycleEvents, autoTrackDeviceAttributes, autoTrackActivityScreens,
                                    migrationSiteId, screenViewUse, new ArrayList<>(modules));
    }
}
