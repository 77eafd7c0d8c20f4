/*
 * Benchmark-only probe, loaded after an Android agent: takes the test bed's recorded RPC-hop
 * durations (harness.testbed.Rpc.takeHops, in ns), so benchmarks/frida_call.py can take
 * the hop to the app process (which a real SDK does not make) out of the SDK-call figure.
 */
rpc.exports.hops = function () {
  return new Promise(function (resolve) {
    Java.performNow(function () {
      var taken = Java.use('harness.testbed.Rpc').takeHops();
      var out = [];
      for (var i = 0; i < taken.length; i++) out.push(Number(taken[i]) / 1e6);
      resolve(out);
    });
  });
};
