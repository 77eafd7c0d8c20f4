/*
 * What the Customer.io Android and Flutter agents share about the Segment Analytics inside the native
 * SDK (loaded after _java.js, before either agent): the global CIO.
 *
 * - CIO.segment(): CustomerIO's internal Segment Analytics (CustomerIO.kt:103 `internal val analytics`),
 *   for `flush`, which has no public API (research A2). Reflection only finds the names (the getter's
 *   JVM name is mangled with the module, getAnalytics$datapipelines_release; R8 may leave only the
 *   field); the call goes through Frida's wrapper, because Method.invoke from Frida's thread has no Java
 *   caller (JDK 17 refuses). CIO.forgetSegment(): an initialize may bring a new instance.
 * - CIO.useScheme(scheme): scheme "http" (harness only: the collector on loopback). Segment builds every
 *   URL as "https://$host/..." in RequestFactory (analytics-kotlin core/.../core/HTTPClient.kt:156,167)
 *   and opens it through `open fun openConnection(url)` (line 178), hooked when this file loads
 *   (installed inside an RPC call, the hook did not take effect on the test bed's HotSpot); it rewrites
 *   the scheme only after an init asked for "http".
 */
var CIO = (function () {
  var J = H.J;
  var plainHttp = false;

  Java.perform(function () {
    try {
      var open = J('com.segment.analytics.kotlin.core.RequestFactory').openConnection.overload('java.lang.String');
      open.implementation = function (url) {
        return open.call(this, plainHttp ? String(url).replace(/^https:\/\//, 'http://') : url);
      };
    } catch (e) { /* no Segment in this app yet: init says so if it asks for http */ }
  });

  function useScheme(scheme) {
    if (scheme === undefined || scheme === null || scheme === 'https') { plainHttp = false; return; }
    if (scheme !== 'http') throw new Error('scheme must be "https" or "http", not ' + JSON.stringify(scheme));
    plainHttp = true;
  }

  var analytics = null;
  function segment() {
    if (analytics !== null) return analytics;
    var sdk = J('io.customer.sdk.CustomerIO').Companion.value.instance();
    var type = J('com.segment.analytics.kotlin.core.Analytics');
    var found = null;
    var methods = sdk.getClass().getDeclaredMethods();
    for (var i = 0; i < methods.length && found === null; i++) {
      var name = String(methods[i].getName());
      if (name.indexOf('getAnalytics$') === 0 && methods[i].getParameterTypes().length === 0) found = sdk[name].call(sdk);
    }
    var fields = sdk.getClass().getDeclaredFields();
    for (var k = 0; k < fields.length && found === null; k++) {
      if (type.class.isAssignableFrom(fields[k].getType())) {
        var f = String(fields[k].getName());
        found = (sdk[f] !== undefined && 'value' in sdk[f] ? sdk[f] : sdk['_' + f]).value;
      }
    }
    if (found === null) throw new Error('CustomerIO holds no com.segment.analytics.kotlin.core.Analytics (getAnalytics$* or a field)');
    analytics = Java.cast(found, type);
    return analytics;
  }

  return { segment: segment, forgetSegment: function () { analytics = null; }, useScheme: useScheme };
})();
