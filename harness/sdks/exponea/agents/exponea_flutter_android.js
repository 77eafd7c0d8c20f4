/*
 * Flutter agent (Android) for the Exponea Flutter SDK 2.5.0 plugin, on the generic Flutter channel
 * agent (_flutter.js, loaded before it): only the call mapping lives here.
 *
 * Skips Dart: each canonical call becomes the `com.exponea` channel call the Dart side makes
 * (research/flutter-sdk-bridge.md §1-§3: channel and method names, argument maps; Double for
 * timestamps and config numbers, {$double: x} below; Integer for Dart ints such as setFlushPeriod),
 * handed to the handler ExponeaPlugin registered for that channel, so the plugin's own conversions
 * ("Token " prefix, timestamp defaults, flush-mode checks) run.
 * Three canonical calls have no channel method; the agent makes them as a Flutter app's own Android
 * code would: handleRemoteMessage through the plugin's ExponeaPlugin.Companion helper, and
 * setSessionTimeout / setAutomaticSessionTracking on the native Exponea object the plugin bundles.
 */
(function () {
  var J = H.J;
  var dbl = F.dbl; // marks a value Dart sends as a double

  /** Sends one `com.exponea` channel call and resolves with what the plugin answers. */
  function channel(method, args) { return F.call('com.exponea', method, args === undefined ? null : args); }

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
