// The live inspector page: request entries arrive over server-sent events (/_harness/inspector/stream),
// are split into their events, filtered, and shown; nothing is polled, nothing leaves this origin.
// Payloads are untrusted: every value reaches the DOM through textContent, never as markup.

const FILTERS = ["source", "device", "run", "route", "type", "verdict"];
const VERDICTS = ["good", "bad", "unchecked"];

const state = {
  entries: new Map(), // request key -> request entry (as the REST API's /requests gives it)
  events: [], // flattened events, in arrival order
  paused: false,
  held: [], // entries that arrived while paused
  filters: Object.fromEntries(FILTERS.map((f) => [f, ""])),
  selected: null,
};

const $ = (id) => document.getElementById(id);
const tbody = $("events").tBodies[0];

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

// The events of a request entry, each with the request's fields (as flatten() in inspector.py).
function flatten(entry) {
  return entry.events.map((event, index) => ({
    ...event,
    key: `${entry.key}:${index}`,
    request: entry.key,
    index,
    source: entry.source,
    id: entry.id,
    received_at: entry.received_at,
    device: entry.device,
    run: entry.run,
    method: entry.method,
    path: entry.path,
    status: entry.response.status,
  }));
}

function takes(event, ignoreVerdict) {
  return FILTERS.every((f) => (ignoreVerdict && f === "verdict") || !state.filters[f] || String(event[f] ?? "") === state.filters[f]);
}

function time(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function row(event) {
  const tr = el("tr", null, { "data-key": event.key, "data-request": event.request, "data-verdict": event.verdict });
  tr.className = event.verdict;
  const first = event.violations && event.violations[0];
  const problem = first ? (first.path ? `${first.path}: ` : "") + first.message + (event.violations.length > 1 ? ` (+${event.violations.length - 1})` : "") : "";
  const cells = [
    (event.source === "collector" ? "" : event.source + " ") + "#" + event.id + (event.index ? "." + event.index : ""),
    time(event.received_at),
    event.device || "-",
    event.method,
    event.route,
    event.type,
    event.status ?? "none",
    event.verdict,
    problem,
  ];
  for (const text of cells) tr.appendChild(el("td", text));
  tr.cells[7].className = "verdict";
  tr.cells[8].className = "problem";
  tr.cells[8].title = problem;
  tr.cells[2].title = event.device;
  if (state.selected === event.request) tr.classList.add("selected");
  tr.addEventListener("click", () => select(event.request));
  return tr;
}

function addOption(name, value) {
  if (!value) return;
  const select = document.forms.filters.elements[name];
  for (const option of select.options) if (option.value === value) return;
  select.appendChild(el("option", value, { value }));
}

function updateCounts() {
  const counts = { good: 0, bad: 0, unchecked: 0 };
  for (const event of state.events) if (takes(event, true)) counts[event.verdict] += 1;
  for (const verdict of VERDICTS) $("count-" + verdict).textContent = String(counts[verdict]);
  $("empty").hidden = tbody.rows.length > 0;
}

function add(entries) {
  const list = $("list");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const rows = document.createDocumentFragment();
  for (const entry of entries) {
    if (state.entries.has(entry.key)) continue; // a snapshot and the live feed may overlap by a commit
    state.entries.set(entry.key, entry);
    for (const event of flatten(entry)) {
      state.events.push(event);
      for (const f of FILTERS) addOption(f, String(event[f] ?? ""));
      if (takes(event, false)) rows.appendChild(row(event));
    }
  }
  tbody.appendChild(rows);
  updateCounts();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function render() {
  tbody.replaceChildren(...state.events.filter((e) => takes(e, false)).map(row));
  updateCounts();
  const params = new URLSearchParams(Object.entries(state.filters).filter(([, v]) => v));
  $("har").href = "/_harness/inspector/har" + (params.size ? "?" + params : "");
}

function clear() {
  state.entries.clear();
  state.events = [];
  state.held = [];
  select(null);
  render();
}

function pretty(text) {
  if (!text) return "(empty)";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function select(key) {
  state.selected = key;
  for (const tr of tbody.rows) tr.classList.toggle("selected", tr.dataset.request === key);
  const entry = key && state.entries.get(key);
  $("detail").hidden = !entry;
  if (!entry) return;
  $("detail-title").textContent = `#${entry.id} ${entry.method} ${entry.path}`;
  const meta = $("detail-meta");
  meta.replaceChildren();
  const facts = [
    ["Source", entry.source],
    ["Received", new Date(entry.received_at * 1000).toISOString()],
    ["Device", entry.device || "-"],
    ["Run", entry.run || "-"],
    ["Route", entry.route],
    ["Verdict", entry.verdict],
  ];
  for (const [k, v] of facts) meta.append(el("dt", k), el("dd", v));
  const violations = $("detail-violations");
  violations.replaceChildren();
  for (const v of entry.violations) {
    const li = el("li", null, { class: "violation" });
    li.append(el("span", v.kind, { class: "kind" }), el("code", v.path), el("span", v.message, { class: "message" }));
    violations.appendChild(li);
  }
  if (!entry.violations.length) violations.appendChild(el("li", entry.verdict === "good" ? "none" : "not judged", { class: "none" }));
  const events = $("detail-events");
  events.replaceChildren();
  for (const event of entry.events) {
    const li = el("li", null, { class: event.verdict });
    li.append(el("b", event.type), el("span", " " + event.verdict, { class: "verdict" }));
    if (event.properties !== undefined) li.appendChild(el("pre", JSON.stringify(event.properties, null, 2)));
    events.appendChild(li);
  }
  const headers = $("detail-headers").tBodies[0];
  headers.replaceChildren();
  for (const [k, v] of Object.entries(entry.headers)) {
    const tr = el("tr");
    tr.append(el("th", k), el("td", v));
    headers.appendChild(tr);
  }
  $("detail-body").textContent = pretty(entry.body);
  const answer = entry.response;
  const head = answer.status === null ? "no answer" : `HTTP ${answer.status}`;
  $("detail-answer").textContent = head + (answer.rule ? ` (rule ${answer.rule})` : "") + "\n" + pretty(answer.body || "");
}

function connect() {
  const status = $("status");
  const source = new EventSource("/_harness/inspector/stream");
  source.addEventListener("open", () => {
    status.dataset.state = "live";
    status.textContent = "live";
  });
  source.addEventListener("error", () => {
    status.dataset.state = "reconnecting";
    status.textContent = "reconnecting…";
  });
  source.addEventListener("snapshot", (message) => {
    const info = JSON.parse(message.data);
    $("profile").textContent = info.profile ? "profile " + info.profile : "no profile: malformed requests only";
    for (const name of info.sources) addOption("source", name);
    clear(); // a reconnect starts over from the collector's view (a reset may have happened meanwhile)
    add(info.entries);
    document.body.dataset.ready = "1";
  });
  source.addEventListener("entries", (message) => {
    const entries = JSON.parse(message.data);
    if (state.paused) {
      state.held.push(...entries);
      $("pause").textContent = `Resume (${state.held.length} new)`;
    } else {
      add(entries);
    }
  });
  source.addEventListener("reset", () => clear());
}

document.forms.filters.addEventListener("change", (e) => {
  state.filters[e.target.name] = e.target.value;
  render();
});
$("pause").addEventListener("click", () => {
  state.paused = !state.paused;
  $("pause").setAttribute("aria-pressed", String(state.paused));
  $("pause").textContent = state.paused ? "Resume" : "Pause";
  if (!state.paused && state.held.length) {
    const held = state.held;
    state.held = [];
    add(held);
  }
});
$("reset").addEventListener("click", () => fetch("/_harness/inspector/reset", { method: "POST" }));
$("close").addEventListener("click", () => select(null));
connect();
