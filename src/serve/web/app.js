// The command center: reads /api/v1/* of the tandem that serves this page
// and draws it. No library and no build step: plain DOM and SVG.
"use strict";

const POLL_MS = 1000;
const READERS_MS = 30000;
const FLAGS_MS = 5000;
const MAX_SAMPLES = 600;  // ten minutes of the chart at one sample a second
const MAX_EVENTS = 200;

const samples = [];  // {t, rows, rate}: what the chart draws
let lastEventId = 0;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

function token() { return sessionStorage.getItem("tandem-token") || ""; }

function headers() {
  const h = { "Accept": "application/json" };
  if (token()) h["Authorization"] = "Bearer " + token();
  return h;
}

async function getJson(path) {
  const res = await fetch(path, { headers: headers(), cache: "no-store" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.status + " " + res.statusText);
  return body;
}

function number(n) { return Number(n).toLocaleString("en-US"); }

function duration(ms) {
  if (ms === null || ms === undefined) return "—";
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
}

// ---- phases and gates --------------------------------------------------

// One entry per step of expand/contract, with the evidence the status holds.
function phases(status) {
  const a = status.active;
  const phase = a ? a.phase : (status.last_completed ? "completed" : "none");
  const backfillDone = a ? a.backfill_done : phase === "completed";
  const v = status.last_verify;
  const live = status.live;
  const switched = phase === "switched" || phase === "completing" || phase === "completed";
  const tables = status.backfill || [];
  const percent = tables.length
    ? Math.min(...tables.map(t => t.done ? 100 : (t.percent || 0))) : null;
  return [
    { name: "Expand", state: phase === "starting" ? "current" : (phase === "none" ? "pending" : "done"),
      evidence: a ? "version schema " + (a.version_schema || "—") : "no migration in progress" },
    { name: "Backfill", state: backfillDone ? "done" : (a ? "current" : "pending"),
      evidence: backfillDone ? "every row backfilled"
        : (percent === null ? "not started" : percent.toFixed(1) + "% of rows") },
    { name: "Verify", state: !v ? "pending" : (v.passed ? "done" : "blocked"),
      evidence: !v ? "no verification recorded"
        : (v.passed ? "passed" : "failed: " + (v.flag_names || []).join(", ")) +
          (v.full ? ", every row" : ", a sample") },
    { name: "Readers", state: readersState.found === null ? "pending"
        : (readersState.found.length ? "blocked" : "done"),
      evidence: readersState.found === null ? "not looked yet"
        : (readersState.found.length ? readersState.found.length + " still use the old shape"
          : "none found") },
    { name: "Switch", state: switched ? "done" : (phase === "active" && backfillDone && v && v.passed ? "current" : "pending"),
      evidence: live ? "live schema shows the " + live.version + " version"
        : (switched ? "switched" : "old version live") },
    { name: "Complete", state: phase === "completed" ? "done" : (phase === "completing" ? "current" : "pending"),
      evidence: phase === "completed" ? "contracted" : "old version still kept" },
  ];
}

function drawTimeline(status) {
  const list = $("timeline");
  list.replaceChildren(...phases(status).map(p =>
    el("li", { class: p.state, "aria-label": p.name + ": " + p.state + ", " + p.evidence },
      el("div", { class: "state" }, p.state), el("strong", {}, p.name),
      el("div", { class: "evidence" }, p.evidence))));
}

// The readiness gates (/api/v1/gates): each transition, open or closed,
// with every condition and its evidence.
async function refreshGates() {
  try {
    const body = await getJson("/api/v1/gates");
    $("gates").replaceChildren(...(body.gates.length
      ? body.gates.map(g => el("li", { class: g.open ? "ok" : "bad" },
          el("strong", {}, g.name), " (" + g.command + ") — " + (g.open ? "open" : "closed"),
          el("ul", {}, ...g.conditions.map(c => el("li", { class: c.met ? "ok" : "bad" },
            (c.met ? "met: " : "missing: ") + c.name + (c.evidence ? " — " + c.evidence : "")
            + (c.next ? " (" + c.next + ")" : ""))))))
      : [el("li", { class: "muted" }, "No gates reported.")]));
  } catch (e) {
    $("gates").replaceChildren(el("li", { class: "muted" }, e.message));
  }
}

// ---- backfill ----------------------------------------------------------

function drawTables(status) {
  const tables = status.backfill || [];
  if (!tables.length) {
    $("tables").replaceChildren(el("p", { class: "muted" }, "No backfill recorded."));
    return;
  }
  $("tables").replaceChildren(...tables.map(t => {
    const pct = t.done ? 100 : (t.percent || 0);
    const id = "progress-" + t.table.replace(/[^A-Za-z0-9_-]/g, "_");
    const state = t.paused ? "paused" : (t.waiting_reason ? "waiting: " + t.waiting_reason : t.state);
    // While paused the rate and ETA say so instead of decaying.
    const pace = t.done ? "done" : (t.paused ? "paused"
      : number(t.rows_per_second) + " rows/s · ETA " + duration(t.eta_ms));
    return el("div", { class: "table-progress", "data-table": t.table },
      el("label", { for: id }, t.table + " — " + state),
      el("progress", { id, max: "100", value: String(pct) }, pct.toFixed(1) + "%"),
      el("div", { class: "muted", "data-rows": String(t.rows_scanned) },
        number(t.rows_scanned) + " of ~" + number(t.estimated_total) + " rows (" +
        pct.toFixed(1) + "%) · " + pace + " · " + t.workers + " workers"));
  }));
  const rows = tables.reduce((s, t) => s + (t.rows_scanned || 0), 0);
  const rate = tables.reduce((s, t) => s + (t.paused ? 0 : (t.rows_per_second || 0)), 0);
  samples.push({ t: Date.now(), rows, rate });
  if (samples.length > MAX_SAMPLES) samples.shift();
  drawChart();
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function drawChart() {
  const chart = $("chart");
  const W = 640, H = 200, left = 56, bottom = 18, top = 8;
  const parts = [];
  if (samples.length >= 2) {
    const t0 = samples[0].t, t1 = samples[samples.length - 1].t || t0 + 1;
    const maxRows = Math.max(1, ...samples.map(s => s.rows));
    const maxRate = Math.max(1, ...samples.map(s => s.rate));
    const x = t => left + (W - left - 4) * (t - t0) / Math.max(1, t1 - t0);
    const y = (v, max) => top + (H - top - bottom) * (1 - v / max);
    for (const f of [0, 0.5, 1]) {
      parts.push(svg("line", { class: "grid", x1: left, x2: W, y1: y(maxRows * f, maxRows), y2: y(maxRows * f, maxRows) }));
      const label = svg("text", { class: "axis", x: 2, y: y(maxRows * f, maxRows) + 4 });
      label.textContent = number(Math.round(maxRows * f));
      parts.push(label);
    }
    const barWidth = Math.min(12, Math.max(2, 0.8 * (W - left) / samples.length));
    for (const s of samples) {
      const h = (H - top - bottom) * s.rate / maxRate;
      parts.push(svg("rect", { class: "rate", x: x(s.t), y: H - bottom - h, width: barWidth, height: h }));
    }
    parts.push(svg("polyline", { class: "rows",
      points: samples.map(s => x(s.t).toFixed(1) + "," + y(s.rows, maxRows).toFixed(1)).join(" ") }));
    const span = svg("text", { class: "axis", x: left, y: H - 4 });
    span.textContent = "last " + duration(t1 - t0) + " · peak " + number(Math.round(maxRate)) + " rows/s";
    parts.push(span);
  }
  chart.replaceChildren(...parts);
}

function drawThrottle(status) {
  const t = status.last_throttle;
  const waiting = (status.backfill || []).filter(b => b.waiting_reason).map(b => b.table + ": " + b.waiting_reason);
  let text = "No throttle has held the backfill.";
  if (t) text = t.holding ? "Throttled since " + t.at + ": " + t.reason
    : "Last throttle: " + t.reason + " (held " + duration(t.held_ms) + ")";
  if (waiting.length) text += " · waiting — " + waiting.join("; ");
  $("throttle").textContent = text;
}

// The file's alert thresholds (alerts:) and which fire, from the status.
function drawAlerts(status) {
  const alerts = status.alerts || [];
  const firing = alerts.filter(a => a.firing);
  const p = $("alerts");
  p.className = firing.length ? "bad" : "";
  p.textContent = !alerts.length ? "No alert thresholds are set (alerts: in the file)."
    : firing.length ? "Alert firing: " + firing.map(a => a.name + " at " + a.value +
                                                    " (threshold " + a.threshold + ")").join("; ")
    : "Alerts quiet: " + alerts.map(a => a.name + " under " + a.threshold).join(", ");
}

// ---- verification, readers, flags --------------------------------------

function drawVerify(status) {
  const v = status.last_verify;
  const facts = v ? [
    ["Result", v.passed ? "passed" : "failed", v.passed ? "ok" : "bad"],
    ["When", v.at || "—"],
    ["Checked", v.full ? "every row" : "a sample (" + v.sample_percent + "%)"],
    ["Rows", number(v.rows || 0)],
    ["Problems", (v.flag_names || []).join(", ") || "none"],
    ["Not backfilled", number(v.not_backfilled || 0)],
  ] : [["Result", "no verification recorded; run tandem verify", "warn"]];
  $("verify").replaceChildren(...facts.flatMap(([k, val, cls]) =>
    [el("dt", {}, k), el("dd", cls ? { class: cls } : {}, val)]));
}

const readersState = { found: null };
async function refreshReaders() {
  try {
    const body = await getJson("/api/v1/readers");
    readersState.found = body.readers;
    $("readers").replaceChildren(...(body.readers.length
      ? body.readers.map(r => el("li", { class: "bad" }, r.kind + " " + r.name + " uses " + r.uses + " — " + r.action))
      : [el("li", { class: "ok" }, "None found.")]));
  } catch (e) {
    $("readers").replaceChildren(el("li", { class: "muted" }, e.message));
  }
}

async function refreshFlags() {
  try {
    const body = await getJson("/api/v1/flags");
    const rows = body.flags.map(f => el("tr", {},
      el("th", { scope: "row" }, f.name),
      el("td", {}, el("meter", { min: "0", max: "100", value: String(f.percent), "aria-label": f.name + " share" }), " " + f.percent + "%"),
      el("td", {}, f.updated_at || "never")));
    $("flags").tBodies[0].replaceChildren(...(rows.length ? rows
      : [el("tr", {}, el("td", { colspan: "3", class: "muted" }, "No flags set."))]));
  } catch (e) {
    $("flags").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: "3", class: "muted" }, e.message)));
  }
}

// ---- status polling ----------------------------------------------------

async function refreshStatus() {
  try {
    const status = await getJson("/api/v1/status");
    const a = status.active;
    $("summary").textContent = a ? "Migration " + a.name + " on schema " + a.schema + " — phase " + a.phase
      : (status.last_completed ? "No migration in progress; last completed: " + status.last_completed.name
        : "No migration recorded yet.");
    $("connection").textContent = "Updated " + new Date().toLocaleTimeString();
    drawTimeline(status);
    drawTables(status);
    drawThrottle(status);
    drawAlerts(status);
    drawVerify(status);
  } catch (e) {
    $("connection").textContent = "Cannot read the status: " + e.message;
  }
}

// ---- events: server-sent, read with fetch so the token can go along -----

function showEvent(e) {
  const list = $("events");
  const text = (e.time || "") + "  " + (e.migration || "") + "  " + e.phase + "/" + e.kind + "  " +
    e.description + (e.outcome ? " — " + e.outcome : "") + (e.detail ? " (" + e.detail + ")" : "");
  list.prepend(el("li", { value: String(e.id) }, text));
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

async function followEvents() {
  for (;;) {
    try {
      const h = headers();
      h["Accept"] = "text/event-stream";
      if (lastEventId) h["Last-Event-ID"] = String(lastEventId);
      const res = await fetch("/api/v1/events", { headers: h, cache: "no-store" });
      if (!res.ok) throw new Error(res.status);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = null, id = null;
          for (const line of message.split("\n")) {
            if (line.startsWith("data: ")) data = line.slice(6);
            if (line.startsWith("id: ")) id = Number(line.slice(4));
          }
          if (data && id !== null) { lastEventId = id; showEvent(JSON.parse(data)); }
        }
      }
    } catch (e) { /* the server restarted or the stream ended: resume below */ }
    await new Promise(r => setTimeout(r, 1000));
  }
}

// ---- controls ----------------------------------------------------------

async function control(button) {
  const result = $("control-result");
  const typed = $("token").value.trim();
  if (typed) sessionStorage.setItem("tandem-token", typed);
  if (!token()) { result.textContent = "Enter the control token first."; result.className = "warn"; $("token").focus(); return; }
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  result.textContent = button.textContent + "…"; result.className = "";
  try {
    const res = await fetch("/api/v1/" + button.dataset.action, { method: "POST", headers: headers() });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || String(res.status));
    result.textContent = "Done: " + body.done + ".";
    result.className = "ok";
  } catch (e) {
    result.textContent = button.textContent + " refused: " + e.message;
    result.className = "bad";
  }
  refreshStatus();
}

document.addEventListener("DOMContentLoaded", () => {
  if (token()) $("token").value = token();
  for (const b of document.querySelectorAll("#controls button")) b.addEventListener("click", () => control(b));
  $("readers-refresh").addEventListener("click", refreshReaders);
  refreshStatus(); refreshReaders(); refreshGates(); refreshFlags(); followEvents();
  setInterval(refreshStatus, POLL_MS);
  setInterval(refreshReaders, READERS_MS);
  setInterval(refreshGates, READERS_MS);  // gathers the readers' evidence too
  setInterval(refreshFlags, FLAGS_MS);
});
