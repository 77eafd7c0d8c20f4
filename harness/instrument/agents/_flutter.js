/*
 * Generic Flutter channel agent (Android), loaded after _java.js: calls any plugin's MethodChannel
 * handler by channel name, with arguments typed as Dart's standard codec delivers them, and without
 * knowing the plugin's classes. Vendor agents build on it (F.call); harness.instrument.flutter_channel
 * drives it from Python (the `flutterChannel` export).
 *
 * Finding the handler. On embedding v2 a plugin's onAttachedToEngine does
 * `new MethodChannel(binding.getBinaryMessenger(), name).setMethodCallHandler(h)`; MethodChannel wraps h
 * in a MethodChannel$IncomingMethodCallHandler (field `handler`) and registers that with the engine's
 * DartMessenger, in its map `messageHandlers: channel name -> HandlerInfo(handler, taskQueue)`
 * (flutter/engine shell/platform/android/io/flutter/embedding/engine/dart/DartMessenger.java,
 * io/flutter/plugin/common/MethodChannel.java). The agent finds every live DartMessenger (Java.choose:
 * ART, and HotSpot through JVMTI), and reads its Map fields for entries that hold a handler (the engine
 * has other maps keyed by channel name: bufferedMessages, for messages that came before any handler).
 * It unwraps by field TYPE, not name: the entry's BinaryMessenger$BinaryMessageHandler (older engines
 * store the handler itself in a ConcurrentHashMap, newer ones a HandlerInfo), then that handler's
 * MethodChannel$MethodCallHandler. Field names are never needed, so R8 renaming them does no harm; the
 * class names DartMessenger, MethodChannel and BinaryMessenger are embedding API that must keep its
 * name (an app whose R8 renames io.flutter.** needs `-keep class io.flutter.embedding.engine.dart.** { *; }`).
 *
 * Dart values as JSON (the "typed JSON" of docs and harness.instrument.flutter_channel), decoded into
 * the Java objects StandardMessageCodec.readValue makes (StandardMessageCodec.java):
 *   null, true/false, "text"          -> null, Boolean, String
 *   an integral number                 -> Integer when it fits 32 bits, else Long (as the codec does)
 *   any other number                   -> Double
 *   [a, b]                             -> ArrayList;  {"k": v} -> HashMap with String keys
 *   {"$double": 1}                     -> Double (a Dart double with an integral value)
 *   {"$long": 5} / {"$long": "9007199254740993"} -> Long
 *   {"$bytes": [0..255]}  -> byte[] (Uint8List);  {"$int32": [..]} -> int[] (Int32List)
 *   {"$int64": [..]} -> long[] (Int64List);  {"$float32": [..]} -> float[];  {"$float64": [..]} -> double[]
 *   {"$map": [[k, v], ...]}            -> HashMap with any keys (Dart Map<int, ..>, or a literal "$..." key)
 * An object is a tag only when its one key is one of those; any other object is a map. Results and
 * error details come back in the same encoding (Integer and Long both as numbers: Dart sees an int).
 *
 * The MethodChannel.Result: a class made with Java.registerClass on ART; HotSpot cannot load the dex
 * that builds, so on the jvm:android test bed the agent uses the bed's harness.testbed.RecordingResult
 * and reads it after the (synchronous) handler returns. Calls run on the main thread where there is
 * one (Flutter calls handlers on the platform thread).
 */
var F = (function () {
  var J = H.J;
  var MESSENGER = 'io.flutter.embedding.engine.dart.DartMessenger';
  var CALL_HANDLER = 'io.flutter.plugin.common.MethodChannel$MethodCallHandler';
  var BINARY_HANDLER = 'io.flutter.plugin.common.BinaryMessenger$BinaryMessageHandler';
  var RECORDING = 'harness.testbed.RecordingResult';
  var handlers = {};
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
        parseLong: J('java.lang.Long').parseLong.overload('java.lang.String'),
        call: J('io.flutter.plugin.common.MethodCall').$new.overload('java.lang.String', 'java.lang.Object')
      };
    }
    return ov;
  }

  var ARRAYS = { $bytes: 'byte', $int32: 'int', $int64: 'long', $float32: 'float', $float64: 'double' };
  var TAGS = ['$double', '$long', '$map'].concat(Object.keys(ARRAYS));

  function tagOf(v) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    var keys = Object.keys(v);
    return keys.length === 1 && TAGS.indexOf(keys[0]) >= 0 ? keys[0] : null;
  }

  function long(v) {
    if (typeof v === 'string') {
      if (!/^-?\d+$/.test(v)) throw new Error('$long must be an integer or a decimal string, not ' + JSON.stringify(v));
      return overloads().long.call(J('java.lang.Long'), overloads().parseLong.call(J('java.lang.Long'), v));
    }
    if (!Number.isSafeInteger(v)) throw new Error('$long must be an integer (or a decimal string), not ' + JSON.stringify(v));
    return overloads().long.call(J('java.lang.Long'), v);
  }

  function primitiveArray(tag, items) {
    if (!Array.isArray(items)) throw new Error(tag + ' must hold a list of numbers');
    items.forEach(function (n) {
      if (typeof n !== 'number') throw new Error(tag + ' must hold numbers only, not ' + JSON.stringify(n));
      if (tag === '$bytes' && !(Number.isInteger(n) && n >= 0 && n <= 255)) throw new Error('$bytes holds 0..255, not ' + n);
      if ((tag === '$int32' || tag === '$int64') && !Number.isInteger(n)) throw new Error(tag + ' holds integers, not ' + n);
    });
    var values = tag === '$bytes' ? items.map(function (n) { return n > 127 ? n - 256 : n; }) : items;
    return Java.array(ARRAYS[tag], values);
  }

  /** Typed JSON -> the Java object the standard codec would hand the plugin. */
  function toDart(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return H.bool(v);
    if (typeof v === 'string') return H.str(v);
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return H.dbl(v);
      if (v >= -2147483648 && v <= 2147483647) return overloads().int.call(J('java.lang.Integer'), v);
      return long(v);
    }
    if (Array.isArray(v)) return H.arrayList(v, toDart);
    var tag = tagOf(v);
    if (tag === null) return H.hashMap(v, toDart);
    var inner = v[tag];
    if (tag === '$double') {
      if (typeof inner !== 'number') throw new Error('$double must be a number, not ' + JSON.stringify(inner));
      return H.dbl(inner);
    }
    if (tag === '$long') return long(inner);
    if (tag === '$map') {
      if (!Array.isArray(inner)) throw new Error('$map must be a list of [key, value] pairs');
      var m = J('java.util.HashMap').$new();
      inner.forEach(function (pair) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new Error('$map must be a list of [key, value] pairs');
        m.put(toDart(pair[0]), toDart(pair[1]));
      });
      return m;
    }
    return primitiveArray(tag, inner);
  }

  function isA(o, cls) { return J(cls).class.isInstance(o); }

  var ARRAY_CLASSES = [['[B', '$bytes'], ['[I', '$int32'], ['[J', '$int64'], ['[F', '$float32'], ['[D', '$float64']];

  /** A Java value the plugin answered -> typed JSON (what Dart would receive). */
  function fromDart(o) {
    if (o === null || o === undefined) return null;
    if (typeof o !== 'object') return o; // Frida already unboxed a String, boolean or number
    if (isA(o, 'java.lang.String')) return o.toString();
    if (isA(o, 'java.lang.Boolean')) return Java.cast(o, J('java.lang.Boolean')).booleanValue();
    if (isA(o, 'java.lang.Double') || isA(o, 'java.lang.Float')) {
      var d = Java.cast(o, J('java.lang.Number')).doubleValue();
      return Number.isInteger(d) ? { $double: d } : d;
    }
    if (isA(o, 'java.lang.Long')) {
      var text = o.toString();
      var n = Number(text);
      return Number.isSafeInteger(n) ? n : { $long: text };
    }
    if (isA(o, 'java.lang.Number')) return Java.cast(o, J('java.lang.Number')).intValue(); // Integer, Short, Byte
    for (var a = 0; a < ARRAY_CLASSES.length; a++) {
      if (isA(o, ARRAY_CLASSES[a][0])) {
        var Arr = J('java.lang.reflect.Array');
        var out = [];
        for (var i = 0, n = Arr.getLength(o); i < n; i++) {
          var item = Arr.get(o, i); // boxed: Byte, Integer, Long, Float, Double
          if (ARRAY_CLASSES[a][1] === '$int64') out.push(Number(String(item))); // digits, not a lossy double
          else out.push(ARRAY_CLASSES[a][1] === '$bytes' ? Java.cast(item, J('java.lang.Number')).intValue() & 0xff
                                                         : Java.cast(item, J('java.lang.Number')).doubleValue());
        }
        var tagged = {};
        tagged[ARRAY_CLASSES[a][1]] = out;
        return tagged;
      }
    }
    if (isA(o, 'java.util.List')) {
      var list = Java.cast(o, J('java.util.List'));
      var items = [];
      for (var k = 0; k < list.size(); k++) items.push(fromDart(list.get(k)));
      return items;
    }
    if (isA(o, 'java.util.Map')) {
      var pairs = [];
      var allText = true;
      var it = Java.cast(o, J('java.util.Map')).entrySet().iterator();
      while (it.hasNext()) {
        var e = Java.cast(it.next(), J('java.util.Map$Entry'));
        var key = e.getKey();
        if (!(key !== null && (typeof key === 'string' || isA(key, 'java.lang.String')))) allText = false;
        pairs.push([key, e.getValue()]);
      }
      if (!allText) return { $map: pairs.map(function (p) { return [fromDart(p[0]), fromDart(p[1])]; }) };
      var obj = {};
      pairs.forEach(function (p) { obj[String(p[0])] = fromDart(p[1]); });
      return tagOf(obj) === null ? obj : { $map: [[Object.keys(obj)[0], obj[Object.keys(obj)[0]]]] };
    }
    throw new Error('the plugin answered a ' + o.getClass().getName() + ', which the standard codec cannot send to Dart');
  }

  // ---- finding the handler registered for a channel name

  /** The value of field `f` (java.lang.reflect.Field) of `obj`, read through Frida's wrapper (no access checks). */
  function readField(obj, f) {
    var owner = Java.cast(obj, J(String(f.getDeclaringClass().getName())));
    var name = String(f.getName());
    var holder = owner[name];
    if (holder === undefined || holder === null || typeof holder !== 'object' || !('value' in holder)) holder = owner['_' + name];
    return holder.value;
  }

  /** The instance fields of obj's class and its superclasses, up to java.lang.Object. */
  function instanceFields(obj) {
    var out = [];
    var Modifier = J('java.lang.reflect.Modifier');
    for (var c = obj.getClass(); c !== null && String(c.getName()) !== 'java.lang.Object'; c = c.getSuperclass()) {
      var fields = c.getDeclaredFields();
      for (var i = 0; i < fields.length; i++) {
        if (!Modifier.isStatic(fields[i].getModifiers())) out.push(fields[i]);
      }
    }
    return out;
  }

  /**
   * obj itself if it is an `iface`, else the first non-null field of obj typed as one; null if none.
   * Answers a java.lang.Object wrapper: a wrapper typed as an interface lacks Object's methods (getClass).
   */
  function unwrap(obj, iface) {
    var type = J(iface);
    if (type.class.isInstance(obj)) return obj;
    var fields = instanceFields(obj);
    for (var i = 0; i < fields.length; i++) {
      if (type.class.isAssignableFrom(fields[i].getType())) {
        var v = readField(obj, fields[i]);
        if (v !== null) return Java.cast(v, J('java.lang.Object'));
      }
    }
    return null;
  }

  /**
   * The BinaryMessageHandler registered under `channel` in one of messenger's Map fields, or null; the
   * names of all channels with a handler go into `seen`. A map counts only through entries that hold a
   * handler: DartMessenger has other maps keyed by channel name (bufferedMessages: messages that came
   * before any handler) and by other keys (pendingReplies, createdTaskQueues).
   */
  function entryIn(messenger, channel, seen) {
    var MapType = J('java.util.Map');
    var fields = instanceFields(messenger);
    var found = null;
    for (var i = 0; i < fields.length; i++) {
      if (!MapType.class.isAssignableFrom(fields[i].getType())) continue;
      var value = readField(messenger, fields[i]);
      if (value === null) continue;
      var it = Java.cast(value, MapType).entrySet().iterator();
      while (it.hasNext()) {
        var e = Java.cast(it.next(), J('java.util.Map$Entry'));
        var key = e.getKey();
        var v = e.getValue();
        if (key === null || v === null || !isA(key, 'java.lang.String')) continue;
        var binary = unwrap(Java.cast(v, J('java.lang.Object')), BINARY_HANDLER);
        if (binary === null) continue;
        if (seen.indexOf(String(key)) < 0) seen.push(String(key));
        if (found === null && String(key) === channel) found = binary;
      }
    }
    return found;
  }

  /** The MethodCallHandler a plugin registered for `channel` (cached for the session). */
  function handlerFor(channel) {
    if (Object.prototype.hasOwnProperty.call(handlers, channel)) return handlers[channel];
    var binary = null;
    var messengers = 0;
    var seen = [];
    try {
      Java.choose(MESSENGER, {
        onMatch: function (m) {
          messengers++;
          var found = entryIn(m, channel, seen);
          if (found !== null) { binary = Java.retain(found); return 'stop'; }
        },
        onComplete: function () {}
      });
    } catch (e) {
      throw new Error('cannot search the app for Flutter engines (' + MESSENGER + '): ' + e.message);
    }
    if (binary === null) {
      throw new Error('no Flutter plugin registered a handler for channel ' + JSON.stringify(channel) + ' (' + messengers +
                      ' engine messenger(s) searched; channels with a handler: ' + (seen.sort().join(', ') || 'none') + ')');
    }
    var handler = unwrap(binary, CALL_HANDLER);
    if (handler === null) {
      throw new Error('channel ' + JSON.stringify(channel) + ' is not a MethodChannel: its handler is a ' +
                      binary.getClass().getName() + ' (a BasicMessageChannel, an EventChannel or a custom message handler)');
    }
    handlers[channel] = Java.retain(Java.cast(handler, J(CALL_HANDLER)));
    return handlers[channel];
  }

  // ---- one call

  function makeResult(id) {
    if (resultClass === null) {
      try {
        resultClass = Java.registerClass({
          name: 'harness.agent.FlutterResult',
          implements: [J('io.flutter.plugin.common.MethodChannel$Result')],
          fields: { callId: 'int' },
          methods: {
            success: function (value) { settle(this.callId.value, { kind: 'success', java: value }); },
            error: function (code, message, details) {
              settle(this.callId.value, { kind: 'error', code: code, message: message, javaDetails: details });
            },
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
    try {
      p.resolve(p.shape(outcome));
    } catch (e) {
      p.reject(e);
    }
  }

  var hasLooper = null; // looked up once: a failed Java.use (HotSpot: no Looper) is slow and never cached
  function onMainThread(fn) {
    if (hasLooper === null) {
      try { J('android.os.Looper'); hasLooper = true; } catch (e) { hasLooper = false; }
    }
    if (hasLooper) Java.scheduleOnMainThread(function () { Java.perform(fn); });
    else fn();
  }

  /** Hands MethodCall(method, toDart(args)) to channel's handler; resolves with shape(outcome). */
  function send(channel, method, args, shape) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      pending[id] = { resolve: resolve, reject: reject, shape: shape };
      onMainThread(function () {
        try {
          var handler = handlerFor(channel);
          var call = overloads().call.call(J('io.flutter.plugin.common.MethodCall'), method, toDart(args));
          var result = makeResult(id);
          handler.onMethodCall(call, result);
          if (resultClass === 'recording') {
            var kind = result.kind();
            if (kind === 'success') settle(id, { kind: 'success', java: result.value() });
            else if (kind === 'error') {
              settle(id, { kind: 'error', code: result.code(), message: result.message(), javaDetails: result.details() });
            } else if (kind !== null) settle(id, { kind: String(kind) });
          }
        } catch (e) {
          delete pending[id];
          reject(e);
        }
      });
    });
  }

  /** The outcome as typed JSON: {kind: "success", value} | {kind: "error", code, message, details} | {kind: "notImplemented"}. */
  function typed(o) {
    if (o.kind === 'success') return { kind: 'success', value: fromDart(o.java) };
    if (o.kind === 'error') {
      return { kind: 'error', code: o.code === null ? null : String(o.code), message: o.message === null ? null : String(o.message),
               details: fromDart(o.javaDetails) };
    }
    return { kind: 'notImplemented' };
  }

  /** The value of a success; an error or notImplemented becomes the exception Dart would throw. */
  function plain(o) {
    if (o.kind === 'success') return H.toJs(o.java);
    if (o.kind === 'error') throw new Error('PlatformException(' + o.code + ', ' + o.message + ')');
    throw new Error('MissingPluginException: not implemented by the plugin');
  }

  /** Any outcome, typed (the export). */
  function invoke(channel, method, args) { return send(channel, method, args, typed); }

  /** For vendor agents: resolves with the success value as plain JSON, rejects as Dart would throw. */
  function call(channel, method, args) { return send(channel, method, args, plain); }

  rpc.exports.flutterChannel = function (channel, method, args) {
    if (typeof channel !== 'string' || channel === '') return Promise.reject(new Error('channel must be a non-empty string'));
    if (typeof method !== 'string' || method === '') return Promise.reject(new Error('method must be a non-empty string'));
    return new Promise(function (resolve, reject) {
      Java.performNow(function () {
        invoke(channel, method, args === undefined ? null : args).then(resolve, reject);
      });
    });
  };

  return { call: call, invoke: invoke, toDart: toDart, fromDart: fromDart, handlerFor: handlerFor,
           dbl: function (v) { return { $double: v }; } };
})();
