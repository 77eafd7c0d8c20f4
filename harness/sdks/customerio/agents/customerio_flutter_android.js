/*
 * Flutter agent (Android) for the Customer.io Flutter plugin 4.1.2 (its `customer_io` channel).
 *
 * Skips Dart: builds io.flutter.plugin.common.MethodCall(method, arguments) as the Dart side's
 * CustomerIOMethodChannel would deliver it (customerio-flutter lib/data_pipelines/customer_io_method_channel.dart:
 * method names and keys of _native_constants.dart; research other-sdks.md A2) and hands it to
 * io.customer.customer_io.CustomerIOPlugin.onMethodCall, so the plugin's own choices run (an empty map
 * calls the SDK overload without it; empty attributes call nothing). What Dart does first, the agent does:
 *   - traits, properties and attributes lose their null values (customer_io.dart:110-176, excludeNullValues);
 *   - the standard codec: a Dart int arrives as Integer (Long beyond 32 bits), a double as Double;
 *   - clearIdentify / deleteDeviceToken send an empty map (invokeNativeMethodVoid's `const {}`);
 *   - initialize sends CustomerIOConfig.toMap() (customer_io_config.dart:43-61): every key, null when unset,
 *     plus `push` (PushConfig.toMap) and `source`/`version`.
 * Two canonical calls have no channel form: `flush` (no flush in Dart, A2) goes where a Flutter app's
 * own Android code would reach it, the native SDK's Segment Analytics, as the native agent does; and
 * `configuration.autoTrackPushEvents: false` cannot be said (the plugin always adds the FCM module with
 * its default, CustomerIOPushMessaging.kt:83-103), so the agent refuses it ("unsupported: ") instead of
 * changing what is asked. `scheme: "http"` is the harness's, applied as the native agent applies it.
 *
 * The channel plumbing (finding the handler the plugin registered for `customer_io`, the codec's
 * types, the Result) is the generic Flutter agent's (_flutter.js); the Segment lookup for flush and the
 * scheme hook are shared with the native agent (customerio_segment.js). Both load before this file.
 */
(function () {
  var J = H.J;

  /** Refuses a date anywhere in the arguments: Flutter's StandardMessageCodec.writeValue has no DateTime
   * type, so Dart throws ArgumentError before the channel is reached. */
  function refuseDates(v) {
    if (Array.isArray(v)) { v.forEach(refuseDates); return; }
    if (v !== null && typeof v === 'object') {
      if (Object.keys(v).length === 1 && H.has(v, '$date')) {
        throw new Error('unsupported: a date value is not expressible through the customer_io Flutter plugin: ' +
                        'the standard message codec has no DateTime type');
      }
      Object.keys(v).forEach(function (k) { refuseDates(v[k]); });
    }
  }

  /** Sends one `customer_io` channel call; the plugin answers true for Unit, the canonical call returns null. */
  function channel(method, args) {
    refuseDates(args);
    return F.call('customer_io', method, args).then(function () { return null; });
  }

  /** Dart's excludeNullValues: drops the top-level keys whose value is null. */
  function noNulls(m) {
    var out = {};
    Object.keys(m || {}).forEach(function (k) { if (m[k] !== null && m[k] !== undefined) out[k] = m[k]; });
    return out;
  }

  // Dart's enum names: Region.us/eu, ScreenView.all/inApp (the plugin matches them case-insensitively).
  var REGIONS = { US: 'us', EU: 'eu' };
  var SCREEN_VIEWS = { All: 'all', InApp: 'inApp' };
  var KNOWN = ['cdpApiKey', 'region', 'apiHost', 'cdnHost', 'flushAt', 'flushInterval', 'trackApplicationLifecycleEvents',
               'autoTrackDeviceAttributes', 'screenViewUse', 'autoTrackPushEvents', 'scheme'];

  function configMap(c) {
    Object.keys(c).forEach(function (key) {
      if (KNOWN.indexOf(key) < 0) throw new Error('unknown configuration field ' + key);
    });
    if (H.has(c, 'autoTrackPushEvents') && !c.autoTrackPushEvents) {
      throw new Error('unsupported: configuration.autoTrackPushEvents false is not expressible through the customer_io ' +
                      'Flutter plugin: Dart\'s PushConfig holds only pushClickBehavior (push_config.dart:16-27) and the ' +
                      'plugin always adds the FCM push module with automatic push tracking on (CustomerIOPushMessaging.kt:83-103)');
    }
    function opt(key) { return H.has(c, key) ? c[key] : null; }
    function mapped(table, key) {
      if (!H.has(c, key)) return null;
      if (!(c[key] in table)) throw new Error(key + ' must be one of ' + Object.keys(table).join(', '));
      return table[c[key]];
    }
    return {
      cdpApiKey: opt('cdpApiKey'), migrationSiteId: null, region: mapped(REGIONS, 'region'), logLevel: null,
      autoTrackDeviceAttributes: opt('autoTrackDeviceAttributes'),
      trackApplicationLifecycleEvents: opt('trackApplicationLifecycleEvents'),
      apiHost: opt('apiHost'), cdnHost: opt('cdnHost'),
      flushAt: H.has(c, 'flushAt') ? Math.round(c.flushAt) : null,
      flushInterval: H.has(c, 'flushInterval') ? Math.round(c.flushInterval) : null,
      screenViewUse: mapped(SCREEN_VIEWS, 'screenViewUse'),
      inApp: null, push: { android: { pushClickBehavior: 'ACTIVITY_PREVENT_RESTART' } }, location: null,
      version: '4.1.2', source: 'Flutter'
    };
  }

  // Dart's `enum MetricEvent { delivered, opened, converted }` (lib/customer_io_enums.dart:11): no clicked.
  var METRIC_EVENTS = ['delivered', 'opened', 'converted'];

  /** The native Customer.io SDK's version under the plugin (core/.../io/customer/sdk/Version.kt:10). */
  function cioVersion() {
    var value = null;
    Java.performNow(function () {
      try { value = String(J('io.customer.sdk.Version').version.value); } catch (e) { value = null; }
    });
    return value;
  }

  H.serve({
    init: function (a) {
      var c = a.configuration || {};
      var m = configMap(c);
      CIO.useScheme(c.scheme);
      CIO.forgetSegment();
      return channel('initialize', m);
    },
    identify: function (a) { return channel('identify', { userId: a.userId, traits: noNulls(a.traits) }); },
    track: function (a) { return channel('track', { name: a.name, properties: noNulls(a.properties) }); },
    screen: function (a) { return channel('screen', { title: a.title, properties: noNulls(a.properties) }); },
    clearIdentify: function () { return channel('clearIdentify', {}); },
    setProfileAttributes: function (a) { return channel('setProfileAttributes', { attributes: noNulls(a.attributes) }); },
    setDeviceAttributes: function (a) { return channel('setDeviceAttributes', { attributes: noNulls(a.attributes) }); },
    registerDeviceToken: function (a) { return channel('registerDeviceToken', { token: a.token }); },
    deleteDeviceToken: function () { return channel('deleteDeviceToken', {}); },
    trackMetric: function (a) {
      if (METRIC_EVENTS.indexOf(String(a.event)) < 0) {
        throw new Error('unsupported: event ' + JSON.stringify(a.event) + ' has no Flutter form: Dart MetricEvent is ' +
                        METRIC_EVENTS.join(', ') + ' (customer_io_enums.dart:11)');
      }
      return channel('trackMetric', { deliveryId: a.deliveryId, deliveryToken: a.deviceToken, metricEvent: a.event });
    },
    flush: function () { CIO.segment().flush(); }
  }, cioVersion);
})();
