/*
 * Android agent for the Customer.io Android SDK 4.19.0 (Data Pipelines, io.customer.sdk.CustomerIO).
 *
 * Implements the canonical calls of harness/sdks/customerio/calls.py on the SDK's public JVM API, as
 * Kotlin compiled it (customerio-android datapipelines/src/main/kotlin/io/customer/sdk/):
 *   - CustomerIO.kt:432-476: `companion object` with @JvmStatic `instance()` and `initialize(config)`:
 *     the agent goes through the static field CustomerIO.Companion, as Kotlin callers do;
 *   - DataPipelineInstance.kt:36-116: identify/track/screen are @JvmOverloads with a Map default of
 *     emptyMap(): a map the scenario left out calls the overload without it (the SDK's default);
 *   - CustomerIOConfigBuilder.kt:27-233: `CustomerIOConfigBuilder(application, cdpApiKey)`, one fluent
 *     setter per given configuration key, the builder's defaults for the rest; Region and ScreenView are
 *     sealed classes of Kotlin objects (Region$US.INSTANCE, ScreenView$InApp.INSTANCE);
 *   - autoTrackPushEvents lives in the push module: ModuleMessagingPushFCM(MessagingPushModuleConfig
 *     .Builder().setAutoTrackPushEvents(b).build()) (messagingpush/.../MessagingPushModuleConfig.kt:33),
 *     added as an app with push does;
 *   - flush: no public API (research A2). CustomerIO.kt:103 `internal val analytics: Analytics`: the
 *     getter's JVM name is mangled with the module (getAnalytics$datapipelines_release), so the agent
 *     finds it by reflection (a getAnalytics$* method, else a field typed Analytics) and calls Segment's
 *     Analytics.flush() (analytics-kotlin core/.../core/Analytics.kt:575);
 *   - scheme "http" (harness only: the collector on loopback): Segment builds every URL as
 *     "https://$host/..." in RequestFactory (analytics-kotlin core/.../core/HTTPClient.kt:156,167) and
 *     opens it through `open fun openConnection(url)` (line 178); the agent rewrites the scheme there.
 * Kotlin `Map<String, Any?>` values carry java.lang.Double for every JSON number (H.toJava).
 * The Segment lookup (flush) and the scheme hook are customerio_segment.js's (CIO), shared with the
 * Flutter agent. Needs _prelude.js, _java.js and customerio_segment.js before it (Sdk.agents).
 */
(function () {
  var J = H.J;
  var SDK = 'io.customer.sdk.';

  function cio() { return J(SDK + 'CustomerIO').Companion.value.instance(); }

  function kotlinObject(cls) { return J(cls).INSTANCE.value; }

  function region(name) {
    var n = String(name).toUpperCase();
    if (n !== 'US' && n !== 'EU') throw new Error('region must be "US" or "EU", not ' + JSON.stringify(name));
    return kotlinObject('io.customer.sdk.data.model.Region$' + n);
  }
  function screenView(name) {
    if (name !== 'All' && name !== 'InApp') throw new Error('screenViewUse must be "All" or "InApp", not ' + JSON.stringify(name));
    return kotlinObject('io.customer.datapipelines.config.ScreenView$' + name);
  }

  var KNOWN = ['cdpApiKey', 'region', 'apiHost', 'cdnHost', 'flushAt', 'flushInterval', 'trackApplicationLifecycleEvents',
               'autoTrackDeviceAttributes', 'screenViewUse', 'autoTrackPushEvents', 'scheme'];

  function builder(c) {
    Object.keys(c).forEach(function (key) {
      if (KNOWN.indexOf(key) < 0) throw new Error('unknown configuration field ' + key);
    });
    if (typeof c.cdpApiKey !== 'string') throw new Error('configuration.cdpApiKey (a string) is required');
    var b = J(SDK + 'CustomerIOConfigBuilder').$new(H.context(), c.cdpApiKey);
    if (H.has(c, 'region')) b = b.region(region(c.region));
    if (H.has(c, 'apiHost')) b = b.apiHost(c.apiHost);
    if (H.has(c, 'cdnHost')) b = b.cdnHost(c.cdnHost);
    if (H.has(c, 'flushAt')) b = b.flushAt(Math.round(c.flushAt));
    if (H.has(c, 'flushInterval')) b = b.flushInterval(Math.round(c.flushInterval));
    if (H.has(c, 'trackApplicationLifecycleEvents')) b = b.trackApplicationLifecycleEvents(!!c.trackApplicationLifecycleEvents);
    if (H.has(c, 'autoTrackDeviceAttributes')) b = b.autoTrackDeviceAttributes(!!c.autoTrackDeviceAttributes);
    if (H.has(c, 'screenViewUse')) b = b.screenViewUse(screenView(c.screenViewUse));
    var push = J('io.customer.messagingpush.MessagingPushModuleConfig$Builder').$new();
    if (H.has(c, 'autoTrackPushEvents')) push = push.setAutoTrackPushEvents(!!c.autoTrackPushEvents);
    b = b.addCustomerIOModule(J('io.customer.messagingpush.ModuleMessagingPushFCM').$new(push.build()));
    return b.build();
  }

  // A canonical date {"$date": ISO-8601} (docs/sdk-calls.md) is a java.util.Date in the caller's map, at any depth;
  // a map without one takes the fast Gson path of H.hashMap.
  function isDate(v) { return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && H.has(v, '$date'); }
  function hasDate(v) {
    if (v === null || typeof v !== 'object') return false;
    if (isDate(v)) return true;
    return (Array.isArray(v) ? v : Object.keys(v).map(function (k) { return v[k]; })).some(hasDate);
  }
  function javaValue(v) {
    if (isDate(v)) {
      var ms = Date.parse(v.$date);
      if (isNaN(ms)) throw new Error('$date must be an ISO-8601 date, not ' + JSON.stringify(v.$date));
      return J('java.util.Date').$new.overload('long').call(J('java.util.Date'), ms);
    }
    if (Array.isArray(v)) return H.arrayList(v, javaValue);
    if (v !== null && typeof v === 'object') return H.hashMap(v, javaValue);
    return H.toJava(v);
  }
  function javaMap(m) { return hasDate(m) ? H.hashMap(m, javaValue) : H.hashMap(m); }

  // The @JvmOverloads pair of identify/track/screen: with the map, or without it (the SDK's emptyMap()).
  function withOptionalMap(method, first, mapKey) {
    return function (a) {
      var sdk = cio();
      if (H.has(a, mapKey) && a[mapKey] !== null) {
        return sdk[method].overload('java.lang.String', 'java.util.Map').call(sdk, a[first], javaMap(a[mapKey]));
      }
      return sdk[method].overload('java.lang.String').call(sdk, a[first]);
    };
  }

  var METRICS = { delivered: 'Delivered', opened: 'Opened', converted: 'Converted', clicked: 'Clicked' };

  /**
   * The SDK's version: `object Version { const val version = "4.19.0" }` (customerio-android
   * core/src/main/kotlin/io/customer/sdk/Version.kt:9-10), a static field on the JVM; null when the
   * class is not in the app.
   */
  function cioVersion() {
    var value = null;
    Java.performNow(function () {
      try {
        value = String(J(SDK + 'Version').version.value);
      } catch (e) {
        value = null;
      }
    });
    return value;
  }

  H.serve({
    init: function (a) {
      var c = a.configuration || {};
      CIO.useScheme(c.scheme);
      CIO.forgetSegment(); // a new instance may come with the first initialize
      J(SDK + 'CustomerIO').Companion.value.initialize(builder(c));
    },
    identify: withOptionalMap('identify', 'userId', 'traits'),
    track: withOptionalMap('track', 'name', 'properties'),
    screen: withOptionalMap('screen', 'title', 'properties'),
    clearIdentify: function () { cio().clearIdentify(); },
    setProfileAttributes: function (a) { cio().setProfileAttributes(javaMap(a.attributes)); },
    setDeviceAttributes: function (a) { cio().setDeviceAttributes(javaMap(a.attributes)); },
    registerDeviceToken: function (a) { cio().registerDeviceToken(a.token); },
    deleteDeviceToken: function () { cio().deleteDeviceToken(); },
    trackMetric: function (a) {
      var name = METRICS[String(a.event)];
      if (name === undefined) throw new Error('event must be delivered, opened, converted or clicked, not ' + JSON.stringify(a.event));
      var metric = J('io.customer.sdk.events.Metric')[name].value;
      cio().trackMetric(J('io.customer.sdk.events.TrackMetric$Push').$new(metric, a.deliveryId, a.deviceToken));
    },
    flush: function () { CIO.segment().flush(); }
  }, cioVersion);
})();
