package io.flutter.plugin.common;

/** Stand-in for Flutter's MethodChannel: only the nested Result and MethodCallHandler types. */
public class MethodChannel {
    public interface Result {
        void success(Object result);

        void error(String errorCode, String errorMessage, Object errorDetails);

        void notImplemented();
    }

    public interface MethodCallHandler {
        void onMethodCall(MethodCall call, Result result);
    }
}
