package com.antsomi.standin;

import harness.testbed.Rpc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The native SDK behind the test bed's Antsomi plugin mirror: a STAND-IN, not Antsomi's (whose Android
 * SDK is not public, research other-sdks.md B1). It forwards each channel call as the canonical call of
 * the same name (harness/sdks/antsomi/calls.py) to the stand-in reference SDK in the virtual app
 * (harness/sdks/antsomi/virtual/android.py), whose HTTP comes back through the bed's OkHttp as any
 * mirror SDK's does, and answers with its reply (the getters' values).
 */
public final class AntsomiStandIn {
    private AntsomiStandIn() {}

    /** {@code sdk.<method>} with {@code args}; an error reply is a RuntimeException naming the method. */
    public static Object call(String method, Map<String, Object> args) {
        return Rpc.call("sdk." + method, args == null ? new LinkedHashMap<>() : new LinkedHashMap<>(args));
    }
}
