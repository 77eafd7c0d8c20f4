/*
 * Android agent for the Exponea (Bloomreach Engagement) Android SDK 4.10.0.
 *
 * Implements the canonical calls of docs/sdk-calls.md on the SDK's public JVM API, as Kotlin
 * compiled it (research/android-sdk-spec.md §1):
 *   - `object Exponea` -> the static field Exponea.INSTANCE;
 *   - Kotlin default arguments -> the static synthetic `name$default(self, args..., mask, marker)`
 *     methods (bit i of mask = parameter i left to its default), so an argument the scenario left
 *     out is left to the SDK (for a timestamp: "now" by the SDK's clock), never filled in here;
 *   - anonymize has no @JvmOverloads: nulls are passed explicitly ("keep the current project");
 *   - ExponeaConfiguration is a data class whose parameters all have defaults: no-arg constructor,
 *     then one setter per given field (the SDK's defaults stay for the rest);
 *   - Kotlin `Any` maps carry java.lang.Double for every number (H.toJava).
 * Needs _prelude.js and _java.js before it (harness.instrument.frida_session loads them).
 */
(function () {
  var J = H.J;
  var M = 'com.exponea.sdk.models.';

  var instance = null; // the Kotlin object never changes: read Exponea.INSTANCE once
  function sdk() {
    if (instance === null) instance = J('com.exponea.sdk.Exponea').INSTANCE.value;
    return instance;
  }
  function E() { return J('com.exponea.sdk.Exponea'); }

  // Kotlin's `name$default(self, args..., mask, marker)`: resolved once, because dispatching a
  // static call through the class wrapper each time costs about 3x the call itself.
  var defaults = {};
  function withDefaults(name, args, mask) {
    if (!(name in defaults)) defaults[name] = E()[name + '$default'].overloads[0];
    return defaults[name].apply(E(), [sdk()].concat(args, [mask, null]));
  }
  function enumValue(cls, name) {
    var v = J(cls)[name];
    if (v === undefined) throw new Error(cls + ' has no constant ' + name);
    return v.value;
  }

  // Pre-resolved: dispatching $new through the wrapper's overload resolution costs a JNI call's worth.
  var newProps = null;
  function props(obj) {
    if (newProps === null) newProps = J(M + 'PropertiesList').$new.overload('java.util.HashMap');
    return newProps.call(J(M + 'PropertiesList'), H.hashMap(obj));
  }

  function project(p) {
    if (p === null || p === undefined) return null;
    return J(M + 'ExponeaProject').$new(p.baseUrl, p.projectToken, p.authorization === undefined ? null : p.authorization,
                                         H.arrayList([]));
  }

  function routeMap(map) {
    if (map === null || map === undefined) return null;
    var m = J('java.util.HashMap').$new();
    Object.keys(map).forEach(function (key) {
      m.put(enumValue(M + 'EventType', key), H.arrayList(map[key], project));
    });
    return m;
  }

  function campaignData(c) {
    if (!c) return J(M + 'CampaignData').$new();
    return J(M + 'CampaignData').$new(c.source || null, c.campaign || null, c.content || null, c.medium || null,
                                       c.term || null, c.payload || null,
                                       c.createdAt === undefined ? Date.now() / 1000 : c.createdAt, c.completeUrl || null);
  }

  function notificationData(d) {
    if (d === null || d === undefined) return null;
    return J(M + 'NotificationData').$new(H.hashMap(d.attributes || {}), campaignData(d.campaignData),
                                           d.consentCategoryTracking === undefined ? null : d.consentCategoryTracking,
                                           d.hasTrackingConsent === undefined ? true : !!d.hasTrackingConsent);
  }

  function notificationAction(a) {
    if (a === null || a === undefined) return null;
    return J(M + 'NotificationAction').$new(a.actionType, a.actionName === undefined ? null : a.actionName,
                                             a.url === undefined ? null : a.url);
  }

  function configuration(c) {
    var cfg = J(M + 'ExponeaConfiguration').$new();
    var setters = {
      projectToken: function (v) { cfg.setProjectToken(v); },
      authorization: function (v) { cfg.setAuthorization(v); },
      baseURL: function (v) { cfg.setBaseURL(v); },
      projectRouteMap: function (v) { cfg.setProjectRouteMap(routeMap(v)); },
      defaultProperties: function (v) { cfg.setDefaultProperties(H.hashMap(v)); },
      automaticSessionTracking: function (v) { cfg.setAutomaticSessionTracking(!!v); },
      sessionTimeout: function (v) { cfg.setSessionTimeout(v); },
      campaignTTL: function (v) { cfg.setCampaignTTL(v); },
      tokenTrackFrequency: function (v) { cfg.setTokenTrackFrequency(enumValue(M + 'ExponeaConfiguration$TokenFrequency', v)); },
      requirePushAuthorization: function (v) { cfg.setRequirePushAuthorization(!!v); },
      allowDefaultCustomerProperties: function (v) { cfg.setAllowDefaultCustomerProperties(!!v); },
      manualSessionAutoClose: function (v) { cfg.setManualSessionAutoClose(!!v); },
      applicationId: function (v) { cfg.setApplicationId(v); },
      maxTries: function (v) { cfg.setMaxTries(v); },
      automaticPushNotification: function (v) { cfg.setAutomaticPushNotification(!!v); }
    };
    Object.keys(c).forEach(function (key) {
      if (key === 'flushMode' || key === 'flushPeriod') return; // Exponea properties, set after init
      if (!(key in setters)) throw new Error('unknown configuration field ' + key);
      setters[key](c[key]);
    });
    return cfg;
  }

  function setFlushMode(mode) { sdk().setFlushMode(enumValue(M + 'FlushMode', mode)); }
  function setFlushPeriod(seconds) {
    sdk().setFlushPeriod(J(M + 'FlushPeriod').$new(seconds, enumValue('java.util.concurrent.TimeUnit', 'SECONDS')));
  }

  // trackDeliveredPush(data: NotificationData? = null, timestamp: Double = now) and its twin.
  function delivered(name) {
    return function (a) {
      var mask = (H.has(a, 'data') ? 0 : 1) | (H.has(a, 'timestamp') ? 0 : 2);
      var data = notificationData(a.data), ts = H.has(a, 'timestamp') ? a.timestamp : 0;
      if (mask === 0) sdk()[name](data, ts);
      else withDefaults(name, [data, ts], mask);
    };
  }

  // trackClickedPush(data = null, actionData = null, timestamp: Double? = now) and its twin.
  function clicked(name) {
    return function (a) {
      var mask = (H.has(a, 'data') ? 0 : 1) | (H.has(a, 'actionData') ? 0 : 2) | (H.has(a, 'timestamp') ? 0 : 4);
      var data = notificationData(a.data), action = notificationAction(a.actionData);
      var ts = H.has(a, 'timestamp') && a.timestamp !== null ? H.dbl(a.timestamp) : null;
      if (mask === 0) sdk()[name](data, action, ts);
      else withDefaults(name, [data, action, ts], mask);
    };
  }

  function session(name) {
    return function (a) {
      if (H.has(a, 'timestamp') && a.timestamp !== null) sdk()[name](a.timestamp);
      else withDefaults(name, [0], 1);
    };
  }

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
      sdk().init(H.context(), configuration(c));
      if (c.flushMode !== undefined) setFlushMode(c.flushMode);
      if (c.flushPeriod !== undefined) setFlushPeriod(c.flushPeriod);
    },
    trackEvent: function (a) {
      if (H.has(a, 'timestamp')) {
        sdk().trackEvent(props(a.properties), a.timestamp === null ? null : H.dbl(a.timestamp), a.eventType);
      } else {
        withDefaults('trackEvent', [props(a.properties), null, a.eventType], 2);
      }
    },
    identifyCustomer: function (a) {
      var ids = H.hashMap(a.customerIds, function (v) { return v === null ? null : H.str(v); });
      sdk().identifyCustomer(J(M + 'CustomerIds').$new(ids), props(a.properties));
    },
    anonymize: function (a) { sdk().anonymize(project(a.exponeaProject), routeMap(a.projectRouteMap)); },
    trackSessionStart: session('trackSessionStart'),
    trackSessionEnd: session('trackSessionEnd'),
    trackPushToken: function (a) { sdk().trackPushToken(a.token); },
    trackHmsPushToken: function (a) { sdk().trackHmsPushToken(a.token); },
    handleNewToken: function (a) { sdk().handleNewToken(H.context(), a.token); },
    handleNewHmsToken: function (a) { sdk().handleNewHmsToken(H.context(), a.token); },
    trackDeliveredPush: delivered('trackDeliveredPush'),
    trackDeliveredPushWithoutTrackingConsent: delivered('trackDeliveredPushWithoutTrackingConsent'),
    trackClickedPush: clicked('trackClickedPush'),
    trackClickedPushWithoutTrackingConsent: clicked('trackClickedPushWithoutTrackingConsent'),
    trackPaymentEvent: function (a) {
      var p = a.purchasedItem;
      var item = J(M + 'PurchasedItem').$new(p.value, p.currency, p.paymentSystem, p.productId, p.productTitle,
                                             p.receipt === undefined ? null : p.receipt);
      if (H.has(a, 'timestamp') && a.timestamp !== null) sdk().trackPaymentEvent(a.timestamp, item);
      else withDefaults('trackPaymentEvent', [0, item], 1);
    },
    handleCampaignIntent: function (a) {
      var Intent = J('android.content.Intent');
      var intent = Intent.$new(Intent.ACTION_VIEW.value, J('android.net.Uri').parse(a.url));
      return sdk().handleCampaignIntent(intent, H.context());
    },
    handleRemoteMessage: function (a) {
      var ctx = H.context();
      var manager = Java.cast(ctx.getSystemService('notification'), J('android.app.NotificationManager'));
      var data = H.hashMap(a.messageData, function (v) { return v === null ? null : H.str(v); });
      return sdk().handleRemoteMessage(ctx, data, manager, H.has(a, 'showNotification') ? !!a.showNotification : true);
    },
    flushData: function () { sdk().flushData(null); },
    setFlushMode: function (a) { setFlushMode(a.mode); },
    setFlushPeriod: function (a) { setFlushPeriod(a.seconds); },
    setDefaultProperties: function (a) { sdk().setDefaultProperties(H.hashMap(a.properties)); },
    setSessionTimeout: function (a) { sdk().setSessionTimeout(a.seconds); },
    setAutomaticSessionTracking: function (a) { sdk().setAutomaticSessionTracking(!!a.enabled); },
    stopIntegration: function () { sdk().stopIntegration(); },
    clearLocalCustomerData: function () { sdk().clearLocalCustomerData(); },
    getCustomerCookie: function () { return H.toJs(sdk().getCustomerCookie()); },
    isInitialized: function () { return !!sdk().isInitialized(); }
  }, exponeaVersion);
})();
