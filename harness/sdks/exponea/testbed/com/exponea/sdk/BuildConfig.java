package com.exponea.sdk;

/**
 * Mirror of the Exponea Android SDK's generated BuildConfig: the version constants the Gradle build
 * writes (exponea-android-sdk 4.10.0, sdk/build.gradle:22-23). The SDK reads EXPONEA_VERSION_NAME as
 * its sdk_version (DeviceProperties.kt:52); the Frida agents read it to pick the profile.
 */
public final class BuildConfig {
    public static final String EXPONEA_VERSION_NAME = "4.10.0";
    public static final int EXPONEA_VERSION_CODE = 93;

    private BuildConfig() {
    }
}
