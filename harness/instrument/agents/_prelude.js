/*
 * Prelude prepended to every harness agent by harness.instrument.frida_session.
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
