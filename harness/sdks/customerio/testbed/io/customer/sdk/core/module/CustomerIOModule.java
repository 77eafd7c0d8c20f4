package io.customer.sdk.core.module;

/** Mirror of the SDK's module interface (the type {@code CustomerIOConfigBuilder.addCustomerIOModule} takes). */
public interface CustomerIOModule {
    String getModuleName();
}
