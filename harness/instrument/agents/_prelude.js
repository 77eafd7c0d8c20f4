/*
 * Prelude prepended to every harness agent by harness.instrument.frida_session, right after
 * `globalThis.HARNESS_OPTIONS = {...}` (the session's options, e.g. {capture: true}).
 *
 * Frida 17 no longer builds the Java/ObjC/Swift bridges into scripts created from Python. This
 * defines lazy globals (the same trick frida-tools' REPL uses): the first touch of `Java`, `ObjC`
 * or `Swift` asks the host for the bridge source ("frida:load-bridge"), blocks until the host
 * answers ("frida:bridge-loaded"), evaluates it and replaces the getter with the bridge object.
 */
(function () {
  function lazyBridge(name) {
    Object.defineProperty(globalThis, name, {
      enumerable: true,
      configurable: true,
      get: function () {
        var bridge;
        send({ type: 'frida:load-bridge', name: name });
        recv('frida:bridge-loaded', function (msg) {
          bridge = Script.evaluate('/frida/bridges/' + msg.filename,
            '(function () { ' + msg.source + '\n' +
            'Object.defineProperty(globalThis, ' + JSON.stringify(name) + ', { value: bridge });\n' +
            'return bridge; })();');
        }).wait();
        return bridge;
      }
    });
  }
  ['Java', 'ObjC', 'Swift'].forEach(lazyBridge);
})();

/*
 * Bounded calls: the harness posts {type: "harness:call", id, export, args}; this answers with
 * {type: "harness:reply", id, value} or {..., error} from rpc.exports[export](...args) (a Promise is
 * awaited). It is Frida's RPC over the same post/send channel, minus the blocking exports_sync call
 * that cannot time out on the host (harness.instrument.frida_session.FridaSession.call).
 */
(function () {
  function reply(id, ok, value) {
    if (ok) send({ type: 'harness:reply', id: id, value: value === undefined ? null : value });
    else send({ type: 'harness:reply', id: id, error: value instanceof Error ? value.message : String(value) });
  }
  function onCall(msg) {
    recv('harness:call', onCall);
    var value;
    try {
      var fn = rpc.exports[msg.export];
      if (typeof fn !== 'function') throw new Error('the agent exports no ' + msg.export);
      value = fn.apply(null, msg.args || []);
    } catch (e) {
      reply(msg.id, false, e);
      return;
    }
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      value.then(function (v) { reply(msg.id, true, v); }, function (e) { reply(msg.id, false, e); });
    } else {
      reply(msg.id, true, value);
    }
  }
  recv('harness:call', onCall);
})();
