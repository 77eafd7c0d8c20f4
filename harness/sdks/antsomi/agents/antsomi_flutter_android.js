/*
 * Flutter agent (Android) for the Antsomi CDP365 plugin (its `antsomisdk` channel), on the generic
 * Flutter agent (_flutter.js, loaded before this file).
 *
 * Antsomi publishes no plugin source (research other-sdks.md Part B), so nothing here knows a plugin
 * class: each canonical call (harness/sdks/antsomi/calls.py, the Dart API's names of B2) is sent on the
 * channel as the method of the same name, its arguments as the map Dart would pass, typed by the
 * standard codec (F.call). What the Dart side of the real plugin does to the arguments before the
 * channel is not known (B2 lists the Dart signatures only); this agent adds nothing and drops nothing.
 * `url` in config is the harness's (the STAND-IN SDK takes it; a real app is captured in place).
 * The SDK version is not readable through the channel: null, so the newest modelled profile judges.
 */
(function () {
  var CALLS = ['config', 'setCustomerProperties', 'resetCustomer', 'removeCustomer', 'getUid', 'setUid',
               'resetUid', 'track', 'trackScreen', 'getCustomerId', 'getPortalId', 'getPropsId'];
  var handlers = {};
  CALLS.forEach(function (method) {
    handlers[method] = function (a) { return F.call('antsomisdk', method, a); };
  });
  H.serve(handlers, function () { return null; });
})();
