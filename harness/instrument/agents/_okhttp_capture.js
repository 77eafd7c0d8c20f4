/*
 * In-app capture on Android: every HTTP call the app makes through OkHttp is sent to the harness,
 * which stores it in the collector's capture format (harness/capture/inapp.py). With it an app can
 * be checked against the production backend with no base-URL change, and a request that the app
 * sent but the backend never got shows up as lost.
 *
 * Where: OkHttp runs every call, synchronous (execute) or not (enqueue, which the SDKs use),
 * through RealCall.getResponseWithInterceptorChain, before any interceptor. Hooking it sees each
 * call once, as the app built it, including calls that fail to connect; it does not see what the
 * bridge interceptor adds (Host, Content-Length, User-Agent, Accept-Encoding), so Content-Type is
 * taken from the body as the bridge would. OkHttp 4.x names the method
 * `getResponseWithInterceptorChain$okhttp` (Kotlin `internal`); OkHttp 3.x `getResponseWithInterceptorChain`.
 * R8 may rename these in a minified build: then capture reports where it looked and fails loudly.
 *
 * Messages (Frida send): {type: "harness:http", phase: "request", id, method, url, headers: [[n, v]]}
 * with the body bytes as the message's data, then {..., phase: "response", id, status} or
 * {..., phase: "response", id, error}. Installed only when the host asks (HARNESS_OPTIONS.capture);
 * `rpc.exports.captureStatus()` says where the hook went, or why there is none.
 * Needs _prelude.js (HARNESS_OPTIONS, the lazy Java bridge).
 */
(function () {
  var options = (typeof HARNESS_OPTIONS === 'object' && HARNESS_OPTIONS) || {};
  var state = { enabled: !!options.capture, hooked: null, error: null, seen: 0 };
  var CANDIDATES = [
    ['okhttp3.internal.connection.RealCall', 'getResponseWithInterceptorChain$okhttp'], // OkHttp 4.x
    ['okhttp3.RealCall', 'getResponseWithInterceptorChain'] // OkHttp 3.x
  ];
  var seq = 0;

  function bytesOf(body) {
    var buffer = Java.use('okio.Buffer').$new();
    body.writeTo(buffer);
    var bytes = buffer.readByteArray();
    var out = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) out[i] = bytes[i] & 0xff;
    return out.buffer;
  }

  function describe(request) {
    var headers = [];
    var h = request.headers();
    for (var i = 0; i < h.size(); i++) headers.push([String(h.name(i)), String(h.value(i))]);
    var body = request.body();
    var data = null;
    if (body !== null) {
      var type = body.contentType();
      if (type !== null) { // the bridge interceptor's rule: the body's type wins
        headers = headers.filter(function (p) { return p[0].toLowerCase() !== 'content-type'; });
        headers.push(['Content-Type', String(type.toString())]);
      }
      data = bytesOf(body);
    }
    return { method: String(request.method()), url: String(request.url().toString()), headers: headers, data: data };
  }

  function hook(method) {
    method.implementation = function () {
      var id = ++seq;
      state.seen++;
      try {
        var r = describe(this.request());
        send({ type: 'harness:http', phase: 'request', id: id, method: r.method, url: r.url, headers: r.headers }, r.data);
      } catch (e) {
        send({ type: 'harness:http', phase: 'request', id: id, problem: 'the agent could not read the request: ' + e });
      }
      var response;
      try {
        response = method.call(this);
      } catch (e) {
        send({ type: 'harness:http', phase: 'response', id: id, error: String(e) });
        throw e;
      }
      var status = null;
      try { status = response.code(); } catch (e) { /* an R8-renamed Response: the request still counts */ }
      send({ type: 'harness:http', phase: 'response', id: id, status: status });
      return response;
    };
  }

  function install() {
    var tried = [];
    for (var k = 0; k < CANDIDATES.length; k++) {
      var cls = CANDIDATES[k][0], name = CANDIDATES[k][1];
      var wrapper;
      try {
        wrapper = Java.use(cls);
      } catch (e) {
        tried.push(cls + ' (' + String(e).split('\n')[0] + ')');
        continue;
      }
      var method = wrapper[name];
      if (method === undefined) {
        tried.push(cls + '.' + name + ' (no such method)');
        continue;
      }
      hook(method);
      state.hooked = cls + '.' + name;
      return;
    }
    state.error = 'no OkHttp call method to hook (R8-renamed, or not OkHttp 3/4); looked for: ' + tried.join('; ');
  }

  if (state.enabled) {
    try {
      Java.perform(function () {
        try { install(); } catch (e) { state.error = 'installing the OkHttp hook failed: ' + e; }
      });
    } catch (e) {
      state.error = 'no Java runtime in this process: ' + e;
    }
  }

  rpc.exports.captureStatus = function () {
    return { enabled: state.enabled, hooked: state.hooked, error: state.error, seen: state.seen };
  };
})();
