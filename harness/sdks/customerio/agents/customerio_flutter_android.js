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
 * The handler: the live plugin instance (Java.choose) where the heap can be walked (ART), else one
 * created for the session. Results: Java.registerClass on ART; HotSpot (the jvm:android test bed)
 * cannot load the dex it builds, so there the agent reads the test bed's RecordingResult.
 */
(function () {
  var J = H.J;
  var PLUGIN = 'io.customer.customer_io.CustomerIOPlugin';
  var handler = null;
  var resultClass = null;
  var pending = {};
  var nextId = 1;
  var RECORDING = 'harness.testbed.RecordingResult';

  var ov = null;
  function overloads() {
    if (ov === null) {
      ov = {
        int: J('java.lang.Integer').valueOf.overload('int'),
        long: J('java.lang.Long').valueOf.overload('long'),
        call: J('io.flutter.plugin.common.MethodCall').$new.overload('java.lang.String', 'java.lang.Object')
      };
    }
    return ov;
  }

  // The standard codec: Dart ints arrive as Integer (Long beyond 32 bits), doubles as Double.
  function codec(v) {
    if (typeof v === 'number' && Number.isInteger(v)) {
      if (Math.abs(v) < 2147483648) return overloads().int.call(J('java.lang.Integer'), v);
      return overloads().long.call(J('java.lang.Long'), v);
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (Object.keys(v).length === 1 && H.has(v, '$date')) {
        // Flutter's StandardMessageCodec.writeValue has no DateTime type: Dart throws ArgumentError before the channel
        throw new Error('unsupported: a date value is not expressible through the customer_io Flutter plugin: ' +
                        'the standard message codec has no DateTime type');
      }
      return H.hashMap(v, codec);
    }
    if (Array.isArray(v)) return H.arrayList(v, codec);
    return H.toJava(v);
  }

  /** Dart's excludeNullValues: drops the top-level keys whose value is null. */
  function noNulls(m) {
    var out = {};
    Object.keys(m || {}).forEach(function (k) { if (m[k] !== null && m[k] !== undefined) out[k] = m[k]; });
    return out;
  }

  function liveHandler() {
    if (handler !== null) return handler;
    try {
      Java.choose(PLUGIN, { onMatch: function (h) { handler = h; return 'stop'; }, onComplete: function () {} });
    } catch (e) { /* heap walking needs ART */ }
    if (handler === null) handler = J(PLUGIN).$new();
    return handler;
  }

  function makeResult(id) {
    if (resultClass === null) {
      try {
        resultClass = Java.registerClass({
          name: 'io.customer.harness.agent.FlutterResult',
          implements: [J('io.flutter.plugin.common.MethodChannel$Result')],
          fields: { callId: 'int' },
          methods: {
            success: function (value) { settle(this.callId.value, { kind: 'success', value: H.toJs(value) }); },
            error: function (code, message, details) { settle(this.callId.value, { kind: 'error', code: code, message: message }); },
            notImplemented: function () { settle(this.callId.value, { kind: 'notImplemented' }); }
          }
        });
      } catch (e) {
        resultClass = 'recording'; // HotSpot: no DexClassLoader
      }
    }
    if (resultClass === 'recording') return J(RECORDING).$new();
    var r = resultClass.$new();
    r.callId.value = id;
    return r;
  }

  function settle(id, outcome) {
    var p = pending[id];
    if (p === undefined) return;
    delete pending[id];
    if (outcome.kind === 'success') p.resolve(null); // the plugin answers true for Unit
    else if (outcome.kind === 'error') p.reject(new Error('PlatformException(' + outcome.code + ', ' + outcome.message + ')'));
    else p.reject(new Error('MissingPluginException: not implemented by the plugin'));
  }

  var hasLooper = null;
  function onMainThread(fn) {
    if (hasLooper === null) {
      try { J('android.os.Looper'); hasLooper = true; } catch (e) { hasLooper = false; }
    }
    if (hasLooper) Java.scheduleOnMainThread(function () { Java.perform(fn); });
    else fn();
  }

  /** Sends one channel call and resolves with what the plugin answers. */
  function channel(method, args) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      pending[id] = { resolve: resolve, reject: reject };
      onMainThread(function () {
        try {
          var call = overloads().call.call(J('io.flutter.plugin.common.MethodCall'), method, codec(args));
          var result = makeResult(id);
          liveHandler().onMethodCall(call, result);
          if (resultClass === 'recording') {
            var json = result.outcomeJson();
            if (json !== null) settle(id, JSON.parse(json));
          }
        } catch (e) {
          delete pending[id];
          reject(e);
        }
      });
    });
  }

  var plainHttp = false;
  // As the native agent: Segment's RequestFactory.openConnection (HTTPClient.kt:178), hooked at load.
  Java.perform(function () {
    try {
      var open = J('com.segment.analytics.kotlin.core.RequestFactory').openConnection.overload('java.lang.String');
      open.implementation = function (url) {
        return open.call(this, plainHttp ? String(url).replace(/^https:\/\//, 'http://') : url);
      };
    } catch (e) { /* no Segment in this app */ }
  });
  function useScheme(scheme) {
    if (scheme === undefined || scheme === null || scheme === 'https') { plainHttp = false; return; }
    if (scheme !== 'http') throw new Error('scheme must be "https" or "http", not ' + JSON.stringify(scheme));
    plainHttp = true;
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

  var analytics = null;
  /**
   * CustomerIO's internal Segment Analytics (CustomerIO.kt:103). Reflection only finds the names (the
   * getter is mangled, getAnalytics$datapipelines_release; R8 may leave only the field); the call goes
   * through Frida's wrapper, because Method.invoke from Frida's thread has no Java caller (JDK 17 refuses).
   */
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
      useScheme(c.scheme);
      analytics = null;
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
    flush: function () { segment().flush(); }
  }, cioVersion);
})();
