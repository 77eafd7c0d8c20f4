package io.customer.sdk;

import android.app.Application;
import io.customer.datapipelines.config.ScreenView;
import io.customer.sdk.core.module.CustomerIOModule;
import io.customer.sdk.data.model.Region;
import java.util.List;

/** Mirror of the immutable {@code CustomerIOConfig} that {@code CustomerIOConfigBuilder.build()} makes. */
public final class CustomerIOConfig {
    final Application applicationContext;
    final String cdpApiKey;
    final Region region;
    final String apiHost;
    final String cdnHost;
    final int flushAt;
    final int flushInterval;
    final boolean trackApplicationLifecycleEvents;
    final boolean autoTrackDeviceAttributes;
    final boolean autoTrackActivityScreens;
    final String migrationSiteId;
    final ScreenView screenViewUse;
    final List<CustomerIOModule> modules;

    CustomerIOConfig(Application applicationContext, String cdpApiKey, Region region, String apiHost, String cdnHost,
                     int flushAt, int flushInterval, boolean trackApplicationLifecycleEvents,
                     boolean autoTrackDeviceAttributes, boolean autoTrackActivityScreens, String migrationSiteId,
                     ScreenView screenViewUse, List<CustomerIOModule> modules) {
        this.applicationContext = applicationContext;
        this.cdpApiKey = cdpApiKey;
        this.region = region;
        this.apiHost = apiHost;
        this.cdnHost = cdnHost;
        this.flushAt = flushAt;
        this.flushInterval = flushInterval;
        this.trackApplicationLifecycleEvents = trackApplicationLifecycleEvents;
        this.autoTrackDeviceAttributes = autoTrackDeviceAttributes;
        this.autoTrackActivityScreens = autoTrackActivityScreens;
        this.migrationSiteId = migrationSiteId;
        this.screenViewUse = screenViewUse;
        this.modules = modules;
    }

    public String getCdpApiKey() { return cdpApiKey; }

    public Region getRegion() { return region; }

    public String getApiHost() { return apiHost; }

    public String getCdnHost() { return cdnHost; }

    public int getFlushAt() { return flushAt; }

    public int getFlushInterval() { return flushInterval; }
}
