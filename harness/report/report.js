"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("run-data").textContent);
  const app = document.getElementById("app");

  function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v; else el.setAttribute(k, String(v));
    }
    for (let i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(x => add(el, x)); return; }
    el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
  function json(v) { return v === undefined ? "" : JSON.stringify(v, null, 2); }
  function brief(v) { const s = JSON.stringify(v); return s && s.length > 90 ? s.slice(0, 87) + "..." : s; }
  function badge(outcome) { return h("span", {class: "badge " + outcome.replace("/", "")}, outcome.toUpperCase()); }
  function rid(i) { return "r" + i; }
  function fmtT(t) { return (t >= 0 ? "+" : "") + t.toFixed(3) + "s"; }

  const meta = DATA.meta, records = DATA.records, matrix = DATA.matrix;

  // -- header: the verdict, then what failed, by name -------------------------------------------
  function failing(r) { return r.outcome === "failed" || r.outcome === "error"; }
  // Failures and errors first, each group in the run's order (the anchors keep the run's indices).
  const order = records.map((r, i) => i).sort((a, b) => (failing(records[b]) - failing(records[a])) || (a - b));
  const bad = order.filter(i => failing(records[i]));
  const failed = bad.length;
  const names = bad.map(i => records[i].scenario + " on " + records[i].device + (records[i].outcome === "error" ? " (error)" : ""));
  document.title = (failed ? "FAILED (" + failed + "): " + names.join(", ") : "PASSED") + " · Conformance report";
  app.appendChild(h("h1", {}, "Conformance report ", h("span", {class: "badge " + (failed ? "failed" : "passed"), id: "badge", title: names.join("\n")}, failed ? "FAILED (" + failed + ")" : "PASSED")));
  const toggle = h("input", {type: "checkbox", id: "failures-only"});
  const summary = h("div", {id: "summary", class: failed ? "failed" : "passed"},
    failed ? [failed + " of " + records.length + " failed: ", bad.map((i, k) => [k ? ", " : "", h("a", {href: "#" + rid(i), class: "failing", "data-scenario": records[i].scenario}, names[k])])]
           : "all " + records.length + " passed",
    h("label", {class: "filter"}, toggle, " failures only"));
  app.appendChild(summary);
  function filter() {
    document.body.classList.toggle("failures-only", toggle.checked);
    document.body.setAttribute("data-filter", toggle.checked ? "failures" : "all");
  }
  toggle.addEventListener("change", filter);
  toggle.checked = location.hash === "#failures";  // a link to the report can open it filtered
  filter();

  // -- metadata (shown after the verdicts) -----------------------------------------------------
  const mt = h("table", {id: "meta"});
  const rows = [
    ["started", meta.started_at_iso], ["duration", (meta.duration || 0) + " s"], ["host", meta.host],
    ["harness", meta.harness_version], ["fault", (meta.faults || []).join(", ") || "none"],
    ["scenarios", records.length + " results, " + failed + " failed or errored"],
  ];
  rows.forEach(([k, v]) => mt.appendChild(h("tr", {}, h("th", {}, k), h("td", {}, v))));
  const dt = h("table", {id: "devices"}, h("tr", {}, ["device", "platform", "model", "os", "profile", "SDK version"].map(x => h("th", {}, x))));
  (meta.devices || []).forEach(d => dt.appendChild(h("tr", {}, [d.uri, d.platform, d.model, d.os_version, d.profile, d.sdk_version].map(x => h("td", {class: "mono"}, x === undefined ? "" : x)))));

  // -- verdicts: scenario x device -----------------------------------------------------------
  const devices = matrix.devices;
  const scen = [...new Set(order.map(i => records[i].scenario))];
  const vt = h("table", {id: "verdicts"}, h("tr", {}, h("th", {}, "scenario"), devices.map(d => h("th", {class: "mono"}, d))));
  scen.forEach(s => {
    const tr = h("tr", {"data-scenario": s, class: records.some(r => r.scenario === s && failing(r)) ? "failing" : "passing"}, h("td", {class: "mono"}, s));
    devices.forEach(d => {
      const i = records.findIndex(r => r.scenario === s && r.device === d);
      if (i < 0) { tr.appendChild(h("td", {class: "na"}, "not run")); return; }
      const r = records[i];
      tr.appendChild(h("td", {class: r.outcome}, h("a", {href: "#" + rid(i)}, r.outcome.toUpperCase()), " ", h("span", {class: "muted"}, r.summary)));
    });
    vt.appendChild(tr);
  });
  add(app, [h("h2", {}, "Verdicts"), vt]);
  add(app, [h("h2", {}, "Run"), mt, h("h2", {}, "Devices"), dt]);

  // -- conformance matrix ---------------------------------------------------------------------
  const mx = h("table", {id: "matrix"}, h("tr", {}, h("th", {}, "checklist id"), devices.map(d => h("th", {class: "mono"}, d)), h("th", {}, "item")));
  const hasFail = row => devices.some(d => row.cells[d] === "fail");
  [...matrix.rows.filter(hasFail), ...matrix.rows.filter(row => !hasFail(row))].forEach(row => {
    mx.appendChild(h("tr", {"data-id": row.id, class: hasFail(row) ? "failing" : "passing"}, h("td", {class: "mono"}, row.id),
      devices.map(d => { const c = row.cells[d]; return h("td", {class: c === "n/a" ? "na" : c, title: ((row.scenarios[d] || []).join(", "))}, c.toUpperCase()); }),
      h("td", {class: "muted"}, row.text.length > 140 ? row.text.slice(0, 137) + "..." : row.text)));
  });
  add(app, [h("h2", {}, "Conformance matrix"), mx]);

  // -- one section per scenario and device --------------------------------------------------------
  app.appendChild(h("h2", {}, "Scenarios"));
  order.forEach(i => app.appendChild(section(records[i], i)));
  if (!failed) app.appendChild(h("p", {class: "none-failed"}, "No scenario failed."));
  document.body.setAttribute("data-rendered", String(records.length));

  function section(r, i) {
    const id = rid(i);
    const sec = h("section", {class: "result " + (failing(r) ? "failing" : "passing"), id: id, "data-scenario": r.scenario, "data-device": r.device, "data-outcome": r.outcome},
      h("h3", {}, badge(r.outcome), " ", r.scenario, " on ", h("span", {class: "mono"}, r.device)),
      h("div", {}, r.title), h("div", {class: "muted"}, r.summary + " · " + r.duration + " s · covers " + r.covers.join(", ") + " · " + r.path));
    if (r.error) sec.appendChild(h("pre", {class: "error"}, r.error));
    sec.appendChild(timeline(r, id));
    sec.appendChild(expectations(r, id));
    if (r.violations.length) sec.appendChild(violations(r, id));
    if (r.diffs.length) sec.appendChild(diffs(r, id));
    sec.appendChild(requests(r, id));
    return sec;
  }

  function timeline(r, id) {
    const wrap = h("div", {class: "timeline-wrap"}, h("h3", {}, "Timeline"));
    const sel = h("select", {id: id + "-axis"}, h("option", {value: "host"}, "host clock (arrival order)"), h("option", {value: "device"}, "device clock"));
    wrap.appendChild(h("div", {class: "controls"}, "ordered by ", sel));
    const grid = h("div", {class: "timeline", id: id + "-timeline"});
    wrap.appendChild(grid);
    const t0h = Math.min(...r.trace.map(s => s.host_time), ...r.requests.map(q => q.received_at));
    const t0d = r.trace.length ? Math.min(...r.trace.map(s => s.device_time)) : 0;
    function deviceTimeOf(q) {
      if (typeof q.device_timestamp === "number") return q.device_timestamp;
      let last = null;
      r.trace.forEach(s => { if (s.host_time <= q.received_at) last = s; });
      return last ? last.device_time + (q.received_at - last.host_time) : q.received_at;
    }
    const items = [];
    r.trace.forEach(s => items.push({lane: "sdk", host: s.host_time - t0h, device: s.device_time - t0d, s: s}));
    r.requests.forEach(q => items.push({lane: "req", host: q.received_at - t0h, device: deviceTimeOf(q) - t0d, q: q}));
    function draw(axis) {
      grid.textContent = "";
      grid.appendChild(h("div", {class: "head"}, axis + " time"));
      grid.appendChild(h("div", {class: "head lane-sdk"}, "SDK calls, app and environment events"));
      grid.appendChild(h("div", {class: "head lane-req"}, "captured requests"));
      const sorted = items.map((it, n) => [it, n]).sort((a, b) => (a[0][axis] - b[0][axis]) || (a[1] - b[1])).map(x => x[0]);
      sorted.forEach(it => {
        grid.appendChild(h("div", {class: "mono time"}, fmtT(it[axis])));
        if (it.lane === "sdk") {
          grid.appendChild(h("div", {class: "lane-sdk"}, stimulus(it.s, r, id)));
          grid.appendChild(h("div", {class: "lane-req"}));
        } else {
          grid.appendChild(h("div", {class: "lane-sdk"}));
          grid.appendChild(h("div", {class: "lane-req"}, request(it.q, r, id)));
        }
      });
      grid.setAttribute("data-axis", axis);
    }
    sel.addEventListener("change", () => draw(sel.value));
    draw("host");
    return wrap;
  }

  function stimulus(s, r, id) {
    const caused = r.expectations.filter(e => e.cause === s.index);
    const args = Object.keys(s.args || {}).length ? brief(s.args) : "";
    return h("div", {class: "item ev-" + s.kind + (s.error ? " step-error" : ""), id: id + "-s" + s.index, "data-kind": s.kind},
      h("b", {}, "step " + (s.index + 1) + " " + s.name), " ", h("span", {class: "mono sub"}, args),
      s.error ? h("div", {class: "sub"}, "raised: " + s.error) : null,
      caused.length ? h("div", {class: "sub"}, "expects ", caused.map((e, k) => [k ? ", " : "", h("a", {href: "#" + id + "-e" + e.index}, "E" + e.index + " " + e.label)])) : null);
  }

  function request(q, r, id) {
    // every expectation the request answered: the profile's, then any user `expect` (a request can meet both)
    const idx = q.expectations || (q.expectation === null || q.expectation === undefined ? [] : [q.expectation]);
    const linked = idx.map(n => r.expectations[n]).filter(e => e);
    const bad = linked.find(e => e.status !== "ok");
    const broke = (r.violations || []).find(v => v.request_id === q.id);  // e.g. any request after stop
    const status = linked.length ? (bad ? bad.status : "ok") : (q.kind === "tracking" || broke ? "unexpected" : "other");
    let what = "";
    try { const b = JSON.parse(q.body); if (b && typeof b.event_type === "string") what = b.event_type; } catch (err) { what = ""; }
    return h("div", {class: "item " + status, id: id + "-q" + q.id, "data-request": q.id, "data-expectation": linked.length ? linked[0].index : "",
                     "data-expectations": linked.map(e => e.index).join(" ")},
      h("a", {href: "#" + id + "-body" + q.id}, "#" + q.id), " ", h("span", {class: "mono"}, q.method + " " + q.path), " ", h("b", {}, what),
      h("div", {class: "sub"}, linked.length ? ["matched ", linked.map((e, k) => [k ? ", " : "", h("a", {href: "#" + id + "-e" + e.index, class: "match-link"}, "E" + e.index + " " + e.label), " (" + e.status + ")"])]
                                 : (broke ? broke.kind + ": " + broke.message
                                    : (status === "unexpected" ? "matched no expectation" : q.kind + " request, not judged"))));
  }

  function expectations(r, id) {
    const t = h("table", {class: "expectations"}, h("tr", {}, ["#", "expected", "route", "caused by", "rules", "status", "request"].map(x => h("th", {}, x))));
    r.expectations.forEach(e => t.appendChild(h("tr", {id: id + "-e" + e.index, class: e.status === "ok" ? "pass" : "fail"},
      h("td", {}, "E" + e.index), h("td", {}, e.label), h("td", {class: "mono"}, e.route),
      h("td", {}, h("a", {href: "#" + id + "-s" + e.cause}, "step " + (e.cause + 1))), h("td", {class: "mono"}, e.rules.join(" ")),
      h("td", {}, e.status), h("td", {}, e.request_id === null ? "none" : h("a", {href: "#" + id + "-q" + e.request_id}, "#" + e.request_id)))));
    (r.quiet || []).forEach(w => t.appendChild(h("tr", {}, h("td", {}, "-"), h("td", {}, "nothing may be sent (" + w.reason + ")"), h("td", {}), h("td", {}, "step " + (w.cause + 1)), h("td", {class: "mono"}, w.rules.join(" ")), h("td", {}, "quiet window"), h("td", {}))));
    return h("div", {}, h("h3", {}, "Expectations"), t);
  }

  function violations(r, id) {
    const t = h("table", {class: "violations"}, h("tr", {}, ["kind", "JSON path", "expected", "captured", "message", "rules"].map(x => h("th", {}, x))));
    r.violations.forEach(v => t.appendChild(h("tr", {class: "fail"}, h("td", {}, v.kind), h("td", {class: "mono"}, v.path || ""),
      h("td", {class: "expected"}, h("pre", {}, v.expected_present ? (v.expected_text !== undefined ? v.expected_text : json(v.expected)) : "(absent)")), h("td", {}, h("pre", {}, v.captured_present ? json(v.captured) : "(absent)")),
      h("td", {}, v.request_id ? [h("a", {href: "#" + id + "-q" + v.request_id}, "#" + v.request_id), " "] : null, v.message), h("td", {class: "mono"}, (v.rules || []).join(" ")))));
    return h("div", {}, h("h3", {}, "Violations"), t);
  }

  function diffs(r, id) {
    const box = h("div", {class: "diffs"}, h("h3", {}, "Expected and captured payloads"));
    r.diffs.forEach((d, k) => {
      const t = h("table", {class: "diff", id: id + "-d" + k}, h("tr", {}, h("th", {}, "expected"), h("th", {}, "captured")));
      d.rows.forEach(([tag, l, rr]) => t.appendChild(h("tr", {class: tag}, h("td", {class: "l"}, h("pre", {}, l === null ? "" : l)), h("td", {class: "r"}, h("pre", {}, rr === null ? "" : rr)))));
      box.appendChild(h("div", {}, h("div", {class: "muted"}, d.title), t));
    });
    return box;
  }

  function requests(r, id) {
    const det = h("details", {}, h("summary", {}, r.requests.length + " captured requests (Authorization masked)"));
    r.requests.forEach(q => {
      let body = q.body;
      try { body = json(JSON.parse(q.body)); } catch (err) { body = q.body; }
      det.appendChild(h("div", {id: id + "-body" + q.id}, h("div", {class: "mono"}, "#" + q.id + " " + q.method + " " + q.path + " · " + JSON.stringify(q.headers)), h("pre", {}, body)));
    });
    return det;
  }
})();
