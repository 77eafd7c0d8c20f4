package io.customer.sdk.data.model;

/**
 * Mirror of {@code sealed class Region(val code: String)} with {@code object US}, {@code object EU}
 * (customerio-android core/src/main/kotlin/io/customer/sdk/data/model/Region.kt:7-13): on the JVM,
 * {@code Region$US.INSTANCE} and {@code Region$EU.INSTANCE}.
 */
public abstract class Region {
    private final String code;

    private Region(String code) { this.code = code; }

    public final String getCode() { return code; }

    public static final class US extends Region {
        public static final US INSTANCE = new US();

        private US() { super("us"); }
    }

    public static final class EU extends Region {
        public static final EU INSTANCE = new EU();

        private EU() { super("eu"); }
    }
}
