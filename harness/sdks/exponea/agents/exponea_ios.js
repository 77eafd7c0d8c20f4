/*
 * iOS agent (native Swift SDK 4.0.1 and Flutter plugin 2.5.0). UNTESTED HERE: no iOS device or
 * simulator runs on the harness's CI machines; written from research/ios-sdk-spec.md §1 and
 * research/flutter-sdk-bridge.md §1.3, §8. Load it after _prelude.js (it needs the ObjC bridge).
 *
 * Native apps: the Swift SDK (`Exponea.shared`, a plain Swift class) is not reachable from the
 * ObjC runtime, so the app must link fixtures/ios-bridge/ExponeaHarnessBridge.swift, an @objc class
 * that takes the canonical call as JSON (docs/real-devices.md). This agent calls
 * +[ExponeaHarnessBridge callMethod:json:] on the main queue.
 *
 * Flutter apps: without the bridge class, the agent builds a FlutterMethodCall and hands it to the
 * plugin's -handleMethodCall:result: (class _TtC7exponea18SwiftExponeaPlugin, inferred from Swift
 * mangling; check with ObjC.classes on the device), with the result as an ObjC block.
 * Arguments become Foundation objects through NSJSONSerialization, which yields NSNumber doubles
 * for JSON numbers with a fraction, integer NSNumbers otherwise, CFBoolean singletons for booleans,
 * and NSNull inside collections (the Flutter iOS parsers choke on nested NSNull: omit such keys).
 */
(function () {
  function nsJson(value) {
    var text = ObjC.classes.NSString.stringWithString_(JSON.stringify(value));
    var data = text.dataUsingEncoding_(4); // NSUTF8StringEncoding
    return ObjC.classes.NSJSONSerialization.JSONObjectWithData_options_error_(data, 4, NULL); // fragments allowed
  }

  function jsJson(obj) {
    if (obj === null || obj.isNull()) return null;
    var data = ObjC.classes.NSJSONSerialization.dataWithJSONObject_options_error_(obj, 4, NULL);
    if (data === null || data.isNull()) return String(obj);
    return JSON.parse(ObjC.classes.NSString.alloc().initWithData_encoding_(data, 4).toString());
  }

  function onMain(fn) {
    return new Promise(function (resolve, reject) {
      ObjC.schedule(ObjC.mainQueue, function () {
        try { fn(resolve, reject); } catch (e) { reject(e); }
      });
    });
  }

  function native(method, args) {
    return onMain(function (resolve, reject) {
      var reply = ObjC.classes.ExponeaHarnessBridge.callMethod_json_(method, JSON.stringify(args));
      var parsed = JSON.parse(reply.toString());
      if ('error' in parsed) reject(new Error(parsed.error));
      else resolve(parsed.value === undefined ? null : parsed.value);
    });
  }

  // Canonical call -> (channel method, Dart-encoded argument); see flutter-sdk-bridge.md §3.
  var CHANNEL = {
    init: function (a) {
      var c = a.configuration || {}, m = { projectToken: c.projectToken,
        authorizationToken: String(c.authorization || '').replace(/^Token /, '') };
      if (c.baseURL) m.baseUrl = c.baseURL;
      if (c.defaultProperties) m.defaultProperties = c.defaultProperties;
      if (c.sessionTimeout !== undefined) m.sessionTimeout = c.sessionTimeout;
      if (c.automaticSessionTracking !== undefined) m.automaticSessionTracking = c.automaticSessionTracking;
      if (c.requirePushAuthorization !== undefined) m.requirePushAuthorization = c.requirePushAuthorization;
      if (c.applicationId !== undefined) m.applicationId = c.applicationId;
      return ['configure', m];
    },
    trackEvent: function (a) {
      var m = { name: a.eventType, properties: a.properties || {} };
      if (a.timestamp !== undefined && a.timestamp !== null) m.timestamp = a.timestamp;
      return ['trackEvent', m];
    },
    identifyCustomer: function (a) { return ['identifyCustomer', { ids: a.customerIds, properties: a.properties || {} }]; },
    anonymize: function () { return ['anonymize', {}]; },
    trackSessionStart: function () { return ['trackSessionStart', null]; },
    trackSessionEnd: function () { return ['trackSessionEnd', null]; },
    trackPushToken: function (a) { return ['trackPushToken', a.token]; },
    handleNewToken: function (a) { return ['handlePushToken', a.token]; },
    trackPaymentEvent: function (a) { return ['trackPaymentEvent', { purchasedItem: a.purchasedItem, timestamp: a.timestamp }]; },
    flushData: function () { return ['flush', null]; },
    setFlushMode: function (a) { return ['setFlushMode', a.mode]; },
    setFlushPeriod: function (a) { return ['setFlushPeriod', Math.round(a.seconds)]; },
    setDefaultProperties: function (a) { return ['setDefaultProperties', a.properties]; },
    handleCampaignIntent: function (a) { return ['handleCampaignClick', a.url]; },
    stopIntegration: function () { return ['stopIntegration', null]; },
    clearLocalCustomerData: function (a) { return ['clearLocalCustomerData', { appGroup: a.appGroup || 'ExponeaSDK' }]; },
    getCustomerCookie: function () { return ['getCustomerCookie', null]; },
    isInitialized: function () { return ['isConfigured', null]; }
  };

  var plugin = null;
  function flutter(method, args) {
    if (!(method in CHANNEL)) return Promise.reject(new Error('not reachable through the Flutter channel'));
    var pair = CHANNEL[method](args);
    return onMain(function (resolve, reject) {
      if (plugin === null) {
        var found = ObjC.chooseSync(ObjC.classes._TtC7exponea18SwiftExponeaPlugin);
        plugin = found.length ? found[0] : ObjC.classes._TtC7exponea18SwiftExponeaPlugin.alloc().init();
      }
      var call = ObjC.classes.FlutterMethodCall.methodCallWithMethodName_arguments_(
        pair[0], pair[1] === null || pair[1] === undefined ? NULL : nsJson(pair[1]));
      var block = new ObjC.Block({
        retType: 'void', argTypes: ['object'],
        implementation: function (result) {
          var r = result === null ? null : new ObjC.Object(result);
          if (r !== null && r.isKindOfClass_(ObjC.classes.FlutterError)) {
            reject(new Error('FlutterError(' + r.code() + ', ' + r.message() + ')'));
          } else {
            resolve(r === null ? null : jsJson(r));
          }
        }
      });
      plugin.handleMethodCall_result_(call, block);
    });
  }

  /**
   * The Exponea iOS SDK's version. Exponea.version (ExponeaSDKShared/Classes/Exponea.swift:12,
   * "public static let version") is a Swift static, not visible to the Objective-C runtime, so it is
   * read where the same string is kept for the runtime: the version of the ExponeaSDK framework
   * bundle (CocoaPods writes the pod version, e.g. 3.11.0 under Flutter plugin 2.5.0, into its
   * Info.plist CFBundleShortVersionString). Null when no such framework is loaded (a static link).
   */
  function sdkVersion() {
    if (!ObjC.available) return null;
    var bundles = ObjC.classes.NSBundle.allFrameworks();
    for (var i = 0; i < bundles.count(); i++) {
      var bundle = bundles.objectAtIndex_(i);
      var path = bundle.bundlePath().toString();
      if (/\/ExponeaSDK\.framework$/.test(path)) {
        var version = bundle.objectForInfoDictionaryKey_('CFBundleShortVersionString');
        return version === null ? null : version.toString();
      }
    }
    return null;
  }

  rpc.exports = {
    ping: function () { return true; },
    sdkVersion: sdkVersion,
    call: function (method, args) {
      var viaBridge = ObjC.available && ObjC.classes.ExponeaHarnessBridge !== undefined;
      return (viaBridge ? native : flutter)(method, args || {}).then(function (value) {
        return { value: value, clock: Date.now() / 1000 };
      });
    }
  };
})();
