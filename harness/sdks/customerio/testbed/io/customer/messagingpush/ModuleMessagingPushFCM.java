package io.customer.messagingpush;

import io.customer.sdk.core.module.CustomerIOModule;

/** Mirror of {@code class ModuleMessagingPushFCM @JvmOverloads constructor(moduleConfig = default)}. */
public final class ModuleMessagingPushFCM implements CustomerIOModule {
    private final MessagingPushModuleConfig moduleConfig;

    public ModuleMessagingPushFCM() { this(new MessagingPushModuleConfig.Builder().build()); }

    public ModuleMessagingPushFCM(MessagingPushModuleConfig moduleConfig) { this.moduleConfig = moduleConfig; }

    public MessagingPushModuleConfig getModuleConfig() { return moduleConfig; }

    @Override public String getModuleName() { return "MessagingPushFCM"; }
}
