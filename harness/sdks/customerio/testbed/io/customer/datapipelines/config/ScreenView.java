package io.customer.datapipelines.config;

/**
 * Mirror of {@code sealed class ScreenView(val name: String)} with {@code object All}, {@code object InApp}
 * (customerio-android datapipelines/src/main/kotlin/io/customer/datapipelines/config/ScreenView.kt:6-18).
 */
public abstract class ScreenView {
    private final String name;

    private ScreenView(String name) { this.name = name; }

    public final String getName() { return name; }

    public static final class All extends ScreenView {
        public static final All INSTANCE = new All();

        private All() { super("all"); }
    }

    public static final class InApp extends ScreenView {
        public static final InApp INSTANCE = new InApp();

        private InApp() { super("inapp"); }
    }
}
