/*
 * Shared helpers for the Android agents (loaded after _prelude.js, before the agent itself).
 *
 * - J(name): a cached Java.use wrapper.
 * - toJava(v): JSON -> java.util.HashMap / ArrayList / java.lang.Double / Boolean / String, the
 *   types a Kotlin `Map<String, Any>` carries (every JSON number becomes a Double).
 * - toJs(o): a Java return value (String, Boolean, Number, Map, List, enum) -> JSON.
 * - serve(handlers): rpc.exports.call(method, args) -> {value, clock}, run inside Java.perform;
 *   a handler may return a Promise. rpc.exports.ping() answers at once (bare round-trip cost).
 *   Exports a generic agent loaded before the SDK agent added (e.g. _flutter.js's flutterChannel) stay.
 */
var H = (function () {
  var cache = {};
  function J(name) {
    if (!(name in cache)) cache[name] = Java.use(name);
    return cache[name];
  }

  // Boxing through cached overloads: each JNI crossing counts when a call builds a map.
  var boxers = null;
  function box() {
    if (boxers === null) {
      var B = J('java.lang.Boolean');
      boxers = { d: J('java.lang.Double').valueOf.overload('double'), t: B.TRUE.value, f: B.FALSE.value };
    }
    return boxers;
  }
  function dbl(n) { return box().d.call(J('java.lang.Double'), n); }
  function bool(b) { return b ? box().t : box().f; } // the two Boolean singletons: no JNI call per value
  function str(s) { return String(s); } // Frida passes a JS string as java.lang.String

  // Pre-resolved overloads: calling through the wrapper's dispatcher costs more than the call.
  var ov = null;
  function overloads() {
    if (ov === null) {
      var HM = J('java.util.HashMap'), AL = J('java.util.ArrayList');
      ov = { newMap: HM.$new.overload(), put: HM.put.overload('java.lang.Object', 'java.lang.Object'),
             newList: AL.$new.overload(), add: AL.add.overload('java.lang.Object') };
    }
    return ov;
  }

  // Gson ships with the Android SDKs: one fromJson call builds the whole HashMap<String, Any> (Double
  // numbers, Boolean, String, nested maps and lists) where building it here takes a JNI call per
  // value. Where Gson is missing (or renamed by R8), the agent builds the map value by value.
  var gson = undefined;
  function gsonFast() {
    if (gson === undefined) {
      try {
        var G = J('com.google.gson.Gson');
        gson = { self: G.$new(), fromJson: G.fromJson.overload('java.lang.String', 'java.lang.Class'),
                 hashMapClass: J('java.util.HashMap').class, HashMap: J('java.util.HashMap') };
      } catch (e) {
        gson = null;
      }
    }
    return gson;
  }

  function hashMap(obj, valueFn) {
    var g = valueFn === undefined ? gsonFast() : null;
    if (g !== null) return g.fromJson.call(g.self, JSON.stringify(obj || {}), g.hashMapClass); // a HashMap, typed Object
    var o = overloads();
    var m = o.newMap.call(J('java.util.HashMap'));
    Object.keys(obj || {}).forEach(function (k) { o.put.call(m, k, (valueFn || toJava)(obj[k])); });
    return m;
  }

  function arrayList(arr, itemFn) {
    var o = overloads();
    var l = o.newList.call(J('java.util.ArrayList'));
    (arr || []).forEach(function (v) { o.add.call(l, (itemFn || toJava)(v)); });
    return l;
  }

  function toJava(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return dbl(v);
    if (typeof v === 'boolean') return bool(v);
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) return arrayList(v);
    return hashMap(v);
  }

  function isInstance(o, cls) { return J(cls).class.isInstance(o); }

  function toJs(o) {
    if (o === null || o === undefined) return null;
    if (typeof o !== 'object') return o; // Frida already unboxed String, boolean, number
    if (isInstance(o, 'java.lang.String')) return o.toString();
    if (isInstance(o, 'java.lang.Boolean')) return Java.cast(o, J('java.lang.Boolean')).booleanValue();
    if (isInstance(o, 'java.lang.Number')) return Java.cast(o, J('java.lang.Number')).doubleValue();
    if (isInstance(o, 'java.lang.Enum')) return Java.cast(o, J('java.lang.Enum')).name();
    if (isInstance(o, 'java.util.Map')) {
      var out = {};
      var it = Java.cast(o, J('java.util.Map')).entrySet().iterator();
      while (it.hasNext()) {
        var e = Java.cast(it.next(), J('java.util.Map$Entry'));
        out[String(e.getKey())] = toJs(e.getValue());
      }
      return out;
    }
    if (isInstance(o, 'java.util.List')) {
      var list = Java.cast(o, J('java.util.List'));
      var arr = [];
      for (var i = 0; i < list.size(); i++) arr.push(toJs(list.get(i)));
      return arr;
    }
    return o.toString();
  }

  /** The app's Context, as Android apps see it (a hidden API; the test bed mirrors it). */
  function context() { return J('android.app.ActivityThread').currentApplication(); }

  function has(args, key) { return Object.prototype.hasOwnProperty.call(args, key) && args[key] !== undefined; }

  function serve(handlers, sdkVersion) {
    rpc.exports = Object.assign({}, rpc.exports, {
      ping: function () { return true; },
      sdkVersion: sdkVersion || function () { return null; },  // the SDK agent says how to read it
      call: function (method, args) {
        return new Promise(function (resolve, reject) {
          // performNow: the VM is up once the agent runs; saves a deferral per call.
          Java.performNow(function () {
            try {
              var handler = handlers[method];
              if (handler === undefined) throw new Error('unknown SDK call (not in docs/sdk-calls.md)');
              Promise.resolve(handler(args || {})).then(function (value) {
                resolve({ value: value === undefined ? null : value, clock: Date.now() / 1000 });
              }, function (e) { reject(e instanceof Error ? e : new Error(String(e))); });
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        });
      }
    });
  }

  return { J: J, dbl: dbl, bool: bool, str: str, hashMap: hashMap, arrayList: arrayList, toJava: toJava,
           toJs: toJs, context: context, has: has, serve: serve };
})();
