package io.customer.sdk;

/**
 * Mirror of {@code object Version { const val version: String = "4.19.0" }}
 * (customerio-android core/src/main/kotlin/io/customer/sdk/Version.kt:9-10): a Kotlin const in an
 * object is a public static final field on the JVM. The SDK's user agent carries it; the agent reads it.
 */
public final class Version {
    public static final Version INSTANCE = new Version();
    public static final String version = "4.19.0";

    private Version() {}
}
