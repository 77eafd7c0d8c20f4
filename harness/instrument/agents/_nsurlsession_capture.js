/*
 * In-app capture on iOS. UNTESTED HERE (no iOS device or simulator on the harness's machines);
 * written from research/ios-sdk-spec.md §1 ("Recommended hook points") and Frida's ObjC API.
 *
 * The SDK builds every tracking and fetch request as a URLRequest with httpBody as Data and sends
 * it with `session.dataTask(with:completionHandler:)`, which is
 * -[NSURLSession dataTaskWithRequest:completionHandler:] underneath. The hook sends the request as
 * the app built it (before URLSession adds User-Agent and Content-Length) and wraps the completion
 * block to report the status (NSHTTPURLResponse.statusCode) or the NSError. NSURLSession is a class
 * cluster: the concrete session class (__NSURLSessionLocal) is hooked too when it has its own
 * implementation. Same messages as _okhttp_capture.js: {type: "harness:http", phase: "request", id,
 * method, url, headers} with the body as data, then {phase: "response", id, status | error}.
 * Installed only when the host asks (HARNESS_OPTIONS.capture); rpc.exports.captureStatus().
 */
(function () {
  var options = (typeof HARNESS_OPTIONS === 'object' && HARNESS_OPTIONS) || {};
  var state = { enabled: !!options.capture, hooked: null, error: null, seen: 0 };
  var SELECTOR = '- dataTaskWithRequest:completionHandler:';
  var seq = 0;

  function str(obj) { return obj === null || obj.isNull() ? null : obj.toString(); }

  function describe(request) {
    var headers = [];
    var fields = request.allHTTPHeaderFields();
    if (fields !== null && !fields.isNull()) {
      var keys = fields.allKeys();
      for (var i = 0; i < keys.count(); i++) {
        var key = keys.objectAtIndex_(i);
        headers.push([key.toString(), fields.objectForKey_(key).toString()]);
      }
    }
    var body = request.HTTPBody();
    var data = null;
    if (body !== null && !body.isNull() && body.length() > 0) data = body.bytes().readByteArray(body.length());
    return { method: str(request.HTTPMethod()) || 'GET', url: str(request.URL().absoluteString()), headers: headers, data: data };
  }

  function onEnter(args) {
    var id = ++seq;
    state.seen++;
    try {
      var r = describe(new ObjC.Object(args[2]));
      send({ type: 'harness:http', phase: 'request', id: id, method: r.method, url: r.url, headers: r.headers }, r.data);
    } catch (e) {
      send({ type: 'harness:http', phase: 'request', id: id, problem: 'the agent could not read the request: ' + e });
    }
    if (args[3].isNull()) return; // a delegate-based task: its outcome is not seen here (stored as "no outcome")
    var block = new ObjC.Block(args[3]);
    var original = block.implementation;
    block.implementation = function (data, response, error) {
      try {
        if (error !== null && !new ObjC.Object(error).isNull()) {
          send({ type: 'harness:http', phase: 'response', id: id, error: new ObjC.Object(error).localizedDescription().toString() });
        } else {
          var status = null;
          var res = response === null ? null : new ObjC.Object(response);
          if (res !== null && !res.isNull() && res.respondsToSelector_(ObjC.selector('statusCode'))) status = res.statusCode();
          send({ type: 'harness:http', phase: 'response', id: id, status: status });
        }
      } catch (e) {
        send({ type: 'harness:http', phase: 'response', id: id, error: 'the agent could not read the outcome: ' + e });
      }
      return original(data, response, error);
    };
  }

  function install() {
    var hooked = [];
    var seen = {};
    ['NSURLSession', '__NSURLSessionLocal'].forEach(function (name) {
      var cls = ObjC.classes[name];
      if (cls === undefined || cls[SELECTOR] === undefined) return;
      var impl = cls[SELECTOR].implementation;
      if (seen[impl.toString()]) return;
      seen[impl.toString()] = true;
      Interceptor.attach(impl, { onEnter: onEnter });
      hooked.push(name);
    });
    if (hooked.length === 0) state.error = 'no NSURLSession ' + SELECTOR + ' to hook';
    else state.hooked = hooked.join(', ') + ' ' + SELECTOR;
  }

  if (state.enabled) {
    try {
      if (!ObjC.available) state.error = 'no Objective-C runtime in this process';
      else install();
    } catch (e) {
      state.error = 'installing the NSURLSession hook failed: ' + e;
    }
  }

  rpc.exports.captureStatus = function () {
    return { enabled: state.enabled, hooked: state.hooked, error: state.error, seen: state.seen };
  };
})();
