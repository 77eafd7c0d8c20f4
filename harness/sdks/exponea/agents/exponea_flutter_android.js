/*
 * Flutter agent (Android) for the Exponea Flutter SDK 2.5.0 plugin.
 *
 * Skips Dart: builds io.flutter.plugin.common.MethodCall(method, arguments) exactly as the Dart
 * side's standard codec would deliver it (research/flutter-sdk-bridge.md §2-§3: channel method
 * names, argument maps, HashMap/ArrayList, Double for timestamps and config numbers, Integer for
 * Dart ints such as setFlushPeriod) and hands it to com.exponea.ExponeaMethodHandler.onMethodCall,
 * so the plugin's own conversions ("Token " prefix, timestamp defaults, flush-mode checks) run.
 *
 * The handler: the live instance (Java.choose) when the heap can be walked (ART), else one created
 * with the app Context and kept for the session (its cached configuration is what anonymize needs).
 * The MethodChannel.Result: a class made with Java.registerClass on ART; frida-java-bridge builds
 * those as dex files, which HotSpot cannot load, so on the jvm:android test bed the agent uses the
 * test bed's harness.testbed.RecordingResult instead.
 * Calls run on the main thread where Android has one (Flutter calls handlers on the platform thread).
 * Three canonical calls have no channel method; the agent makes them as a Flutter app's own Android
 * code would: handleRemoteMessage through the plugin's ExponeaPlugin.Companion helper, and
 * setSessionTimeout / setAutomaticSessionTracking on the native Exponea object the plugin bundles.
 */
(function () {
  var J = H.J;
  var handler = null;
  var resultClass = null;
  var pending = {};
  var nextId = 1;

  // Overloads resolved once: resolving them per call costs as much as the JNI call itself.
  var ov = null;
  function overloads() {
    if (ov === null) {
      ov = {
        int: J('java.lang.Integer').valueOf.overload('int'),
        long: J('java.lang.Long').valueOf.overload('long'),
        call: J('io.flutter.plugin.common.MethodCall').$new.overload('java.lang.String', 'java.lang.Object'),
        recording: J('harness.testbed.RecordingResult').$new.overload()
      };
    }
    return ov;
  }

  // Dart ints arrive as Integer (Long beyond 32 bits), doubles as Double.
  function codec(v) {
    if (typeof v === 'number' && Number.isInteger(v)) {
      if (Math.abs(v) < 2147483648) return overloads().int.call(J('java.lang.Integer'), v);
      return overloads().long.call(J('java.lang.Long'), v);
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return H.hashMap(v, codec);
    if (Array.isArray(v)) return H.arrayList(v, codec);
    return H.toJava(v);
  }
  function dbl(v) { return { __double: v }; } // marks a value Dart sends as a double
  function wire(v) {
    if (v !== null && typeof v === 'object' && '__double' in v) return H.dbl(v.__double);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return H.hashMap(v, wire);
    if (Array.isArray(v)) return H.arrayList(v, wire);
    return codec(v);
  }

  function liveHandler() {
    if (handler !== null) return handler;
    try {
      Java.choose('com.exponea.ExponeaMethodHandler', { onMatch: function (h) { handler = h; return 'stop'; },
                                                        onComplete: function () {} });
    } catch (e) { /* heap walking needs ART; fall through */ }
    if (handler === null) {
      var Handler = J('com.exponea.ExponeaMethodHandler');
      handler = Handler.$new(H.context());
    }
    return handler;
  }

  function makeResult(id) {
    if (resultClass === null) {
      try {
        resultClass = Java.registerClass({
          name: 'com.exponea.harness.agent.FlutterResult',
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
    if (resultClass === 'recording') return overloads().recording.call(J('harness.testbed.RecordingResult'));
    var r = resultClass.$new();
    r.callId.value = id;
    return r;
  }

  function settle(id, outcome) {
    var p = pending[id];
    if (p === undefined) return;
    delete pending[id];
    if (outcome.kind === 'success') p.resolve(outcome.value);
    else if (outcome.kind === 'error') p.reject(new Error('PlatformException(' + outcome.code + ', ' + outcome.message + ')'));
    else p.reject(new Error('MissingPluginException: not implemented by the plugin'));
  }

  var hasLooper = null; // looked up once: a failed Java.use (HotSpot: no Looper) is slow and never cached
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
          var call = overloads().call.call(J('io.flutter.plugin.common.MethodCall'), method,
                                           args === undefined ? null : wire(args));
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

  function flutterProject(p) {
    var out = { projectToken: p.projectToken, authorizationToken: stripToken(p.authorization, 'authorization') };
    if (p.baseUrl) out.baseUrl = p.baseUrl;
    return out;
  }
  // Dart's authorizationToken is a required String that the plugin stores as "Token " + value
  // (flutter-sdk-bridge.md §4): a null authorization has no channel form. Sending "" would reach the
  // SDK as "Token ", a different call, so the agent refuses instead of changing what is asked; the
  // "unsupported: " prefix makes the transport end the scenario as an error (UnsupportedCall), not
  // as an SDK exception after which the profile expects nothing (a pass that tested nothing).
  function stripToken(auth, where) {
    if (auth === null || auth === undefined) {
      throw new Error('unsupported: ' + where + ' null cannot go through the Flutter plugin: authorizationToken is a required ' +
                      'String stored as "Token " + value (flutter-sdk-bridge.md §4)');
    }
    return String(auth).replace(/^Token /, '');
  }
  function mapping(routeMap) {
    var out = {};
    Object.keys(routeMap).forEach(function (k) { out[k] = routeMap[k].map(flutterProject); });
    return out;
  }

  // CampaignData's Kotlin fields (the canonical call's campaignData) -> the push's url_params keys.
  var UTM = { source: 'utm_source', campaign: 'utm_campaign', content: 'utm_content', medium: 'utm_medium',
              term: 'utm_term', payload: 'xnpe_cmp' };
  function urlParams(c) {
    var out = {};
    Object.keys(c).forEach(function (k) { if (c[k] !== null && c[k] !== undefined) out[UTM[k] || k] = c[k]; });
    return out;
  }

  // The push payload as the Dart side passes it (raw map, research §3 trackDeliveredPush).
  function pushPayload(a, withAction) {
    var d = a.data || {};
    var p = {};
    if (a.data !== undefined && a.data !== null) p.data = (d.attributes || {});
    if (d.campaignData) p.url_params = urlParams(d.campaignData);
    if (d.consentCategoryTracking !== undefined && d.consentCategoryTracking !== null) p.consent_category_tracking = d.consentCategoryTracking;
    if (d.hasTrackingConsent !== undefined) p.has_tracking_consent = !!d.hasTrackingConsent;
    if (H.has(a, 'timestamp') && a.timestamp !== null) p.receivedSeconds = dbl(a.timestamp);
    if (withAction && a.actionData) {
      p.actionType = a.actionData.actionType;
      if (a.actionData.actionName) p.actionName = a.actionData.actionName;
      if (a.actionData.url) p.url = a.actionData.url;
    }
    return p;
  }

  // No channel method: a Flutter app's own Android code calls these (the plugin's companion
  // helpers, §1.2, or the native SDK the plugin bundles), so the agent does the same.
  function companion() { return J('com.exponea.ExponeaPlugin').Companion.value; }
  function nativeSdk() { return J('com.exponea.sdk.Exponea').INSTANCE.value; }

  /**
   * The Exponea Android SDK's version: the generated BuildConfig constant
   * (exponea-android-sdk sdk/build.gradle:22, buildConfigField "String", "EXPONEA_VERSION_NAME"),
   * or null when the class is not in the app. The Flutter plugin bundles the same native SDK.
   */
  function exponeaVersion() {
    var value = null;
    Java.performNow(function () {
      try {
        value = String(H.J('com.exponea.sdk.BuildConfig').EXPONEA_VERSION_NAME.value);
      } catch (e) {
        value = null;
      }
    });
    return value;
  }

  H.serve({
    init: function (a) {
      var c = a.configuration || {};
      var m = { projectToken: c.projectToken, authorizationToken: stripToken(c.authorization, 'configuration.authorization') };
      if (c.baseURL !== undefined) m.baseUrl = c.baseURL;
      if (c.projectRouteMap) m.projectMapping = mapping(c.projectRouteMap);
      if (c.defaultProperties) m.defaultProperties = (c.defaultProperties || {});
      if (c.maxTries !== undefined) m.flushMaxRetries = dbl(c.maxTries);
      if (c.sessionTimeout !== undefined) m.sessionTimeout = dbl(c.sessionTimeout);
      if (c.automaticSessionTracking !== undefined) m.automaticSessionTracking = !!c.automaticSessionTracking;
      if (c.allowDefaultCustomerProperties !== undefined) m.allowDefaultCustomerProperties = !!c.allowDefaultCustomerProperties;
      if (c.tokenTrackFrequency !== undefined) m.pushTokenTrackingFrequency = c.tokenTrackFrequency;
      if (c.requirePushAuthorization !== undefined) m.requirePushAuthorization = !!c.requirePushAuthorization;
      if (c.manualSessionAutoClose !== undefined) m.manualSessionAutoClose = !!c.manualSessionAutoClose;
      if (c.applicationId !== undefined) m.applicationId = c.applicationId;
      if (c.automaticPushNotification !== undefined) m.android = { automaticPushNotifications: !!c.automaticPushNotification };
      return channel('configure', m).then(function () {
        if (c.flushMode !== undefined) return channel('setFlushMode', c.flushMode);
      }).then(function () {
        if (c.flushPeriod !== undefined) return channel('setFlushPeriod', Math.round(c.flushPeriod));
      }).then(function () { return null; });
    },
    trackEvent: function (a) {
      var m = { name: a.eventType, properties: (a.properties || {}) };
      if (H.has(a, 'timestamp') && a.timestamp !== null) m.timestamp = dbl(a.timestamp);
      return channel('trackEvent', m);
    },
    identifyCustomer: function (a) { return channel('identifyCustomer', { ids: a.customerIds, properties: (a.properties || {}) }); },
    anonymize: function (a) {
      var m = {};
      if (a.exponeaProject) m.project = flutterProject(a.exponeaProject);
      if (a.projectRouteMap) m.mapping = mapping(a.projectRouteMap);
      return channel('anonymize', m);
    },
    trackSessionStart: function (a) { return channel('trackSessionStart', H.has(a, 'timestamp') && a.timestamp !== null ? dbl(a.timestamp) : null); },
    trackSessionEnd: function (a) { return channel('trackSessionEnd', H.has(a, 'timestamp') && a.timestamp !== null ? dbl(a.timestamp) : null); },
    trackPushToken: function (a) { return channel('trackPushToken', a.token); },
    trackHmsPushToken: function (a) { return channel('trackHmsPushToken', a.token); },
    handleNewToken: function (a) { return channel('handlePushToken', a.token); },
    handleNewHmsToken: function (a) { return channel('handleHmsPushToken', a.token); },
    trackDeliveredPush: function (a) { return channel('trackDeliveredPush', pushPayload(a, false)); },
    trackDeliveredPushWithoutTrackingConsent: function (a) { return channel('trackDeliveredPushWithoutTrackingConsent', pushPayload(a, false)); },
    trackClickedPush: function (a) { return channel('trackClickedPush', pushPayload(a, true)); },
    trackClickedPushWithoutTrackingConsent: function (a) { return channel('trackClickedPushWithoutTrackingConsent', pushPayload(a, true)); },
    trackPaymentEvent: function (a) {
      var p = a.purchasedItem;
      var item = { value: dbl(p.value), currency: p.currency, paymentSystem: p.paymentSystem, productId: p.productId,
                   productTitle: p.productTitle };
      if (p.receipt !== undefined && p.receipt !== null) item.receipt = p.receipt;
      // Dart always sends the timestamp key, null when not given.
      return channel('trackPaymentEvent', { purchasedItem: item, timestamp: H.has(a, 'timestamp') && a.timestamp !== null ? dbl(a.timestamp) : null });
    },
    handleCampaignIntent: function (a) { return channel('handleCampaignClick', a.url); },
    handleRemoteMessage: function (a) {
      var ctx = H.context();
      var manager = Java.cast(ctx.getSystemService('notification'), J('android.app.NotificationManager'));
      var data = H.hashMap(a.messageData, function (v) { return v === null ? null : H.str(v); });
      companion().handleRemoteMessage(ctx, data, manager, H.has(a, 'showNotification') ? !!a.showNotification : true);
      return null;
    },
    flushData: function () { return channel('flush'); },
    setFlushMode: function (a) { return channel('setFlushMode', a.mode); },
    setFlushPeriod: function (a) { return channel('setFlushPeriod', Math.round(a.seconds)); },
    setDefaultProperties: function (a) { return channel('setDefaultProperties', (a.properties || {})); },
    setSessionTimeout: function (a) { nativeSdk().setSessionTimeout(a.seconds); },
    setAutomaticSessionTracking: function (a) { nativeSdk().setAutomaticSessionTracking(!!a.enabled); },
    stopIntegration: function () { return channel('stopIntegration'); },
    clearLocalCustomerData: function () { return channel('clearLocalCustomerData', { appGroup: null }); },
    getCustomerCookie: function () { return channel('getCustomerCookie'); },
    isInitialized: function () { return channel('isConfigured'); }
  }, exponeaVersion);
})();
