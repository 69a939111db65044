// complysim serve: the workshop page. Everything is data-driven from the
// server: the scenario library and levers (/api/config, /api/scenario) and the
// outcomes the library reports (the "result" of /api/run). Charts: Chart.js
// (Debian libjs-chart.js), served by complysim itself.
"use strict";

const state = {
  config: null,      // /api/config
  scenario: null,    // /api/scenario?id=...
  result: null,      // last "result" event
  charts: [],        // Chart objects of the last result
  controller: null,  // AbortController of the run in flight
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};

// ---------- names and numbers in plain words ----------

/** "Decree 53/2022" for decree53_2022, else the id with spaces. */
function scenarioTitle(id) {
  const m = /^decree(\d+)_(\d{4})$/.exec(id);
  if (m) return `Decree ${m[1]}/${m[2]}`;
  return id.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

const isShare = (unit) => ["share", "probability"].includes(unit);

/** A value as shown: shares as percent, others with 3 significant digits. */
function fmt(x, unit) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  if (isShare(unit)) {
    const p = 100 * x;
    return (Math.abs(p) >= 10 ? p.toFixed(0) : p.toFixed(1)) + "\u00A0%";
  }
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(3)).toString();
}

/** A change: percentage points for shares. */
function fmtChange(x, unit) {
  if (x === null || !Number.isFinite(x)) return "n/a";
  const sign = x > 0 ? "+" : x < 0 ? "\u2212" : "";
  if (isShare(unit)) {
    const p = Math.abs(100 * x);
    return sign + (p >= 10 ? p.toFixed(0) : p.toFixed(1)) + " points";
  }
  return sign + fmt(Math.abs(x), unit);
}

function intText(n) { return Math.round(n).toLocaleString("en-US"); }

// One plain sentence per headline outcome; {b} base, {w} what-if.
const SENTENCES = {
  lawful_legal_chilling_rate: "Of the lawful posts people wanted to write, {b} were held back for fear of the law; with this design {w}.",
  legal_chilling_rate: "Of the posts people wanted to write, {b} were held back for fear of the law; with this design {w}.",
  self_censorship_rate: "Of the political posts people wanted to write, {b} were held back; with this design {w}.",
  lawful_self_censorship_rate: "Of the lawful posts people wanted to write, {b} were held back; with this design {w}.",
  silenced_user_share: "{b} of the people with something to say posted nothing for a month; with this design {w}.",
  wrongful_removals_per_100k: "Lawful posts removed per day, per 100,000 users: {b}; with this design {w}.",
  over_removal_share: "Of the posts taken down, {b} were lawful; with this design {w}.",
  users_sanctioned_per_100k: "Users punished per day, per 100,000 users: {b}; with this design {w}.",
};

function sentence(outcome, label, b, w, baseName) {
  const t = SENTENCES[outcome] || `${label}: {b} under ${baseName}; with this design {w}.`;
  return t.replace("{b}", b).replace("{w}", w);
}

function outcomeInfo(name) {
  return (state.config.outcomes.find((o) => o.name === name)) || { name, label: name, unit: "" };
}

// ---------- the controls ----------

async function getJSON(url) {
  const r = await fetch(url);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function leverValue(lever) {
  const box = $("lv-" + lever.name);
  if (lever.type === "boolean") return box.querySelector("input[value=on]").checked;
  return box.querySelector("input[type=number]").value;
}

function showLeverError(name, message) {
  const e = document.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (e) e.textContent = message || "";
}

function clearErrors() {
  document.querySelectorAll("[data-error-for]").forEach((e) => (e.textContent = ""));
  $("run-error").textContent = "";
}

/** Client-side range check (the server checks again). */
function checkLever(lever) {
  if (lever.type === "boolean") return "";
  const raw = $("lv-" + lever.name).querySelector("input[type=number]").value.trim();
  const x = Number(raw);
  if (raw === "" || !Number.isFinite(x)) return "enter a number";
  if (lever.type === "integer" && !Number.isInteger(x)) return "enter a whole number";
  if (x < lever.min || x > lever.max) return `out of range: allowed ${lever.min} to ${lever.max}`;
  return "";
}

function markChanged(lever) {
  const box = $("lv-" + lever.name);
  const v = leverValue(lever);
  const changed = lever.type === "boolean" ? v !== lever.base : Number(v) !== Number(lever.base);
  box.classList.toggle("changed", changed);
}

function buildLever(lever, baseName) {
  const box = el("div", { class: "lever", id: "lv-" + lever.name, "data-lever": lever.name });
  const name = el("span", { class: "name", text: lever.label });
  const top = el("div", { class: "top" }, name);
  const err = el("div", { class: "error", "data-error-for": lever.name });
  const help = el("p", { class: "help", text: lever.help });
  if (lever.type === "boolean") {
    const mk = (val, text) => {
      const input = el("input", { type: "radio", name: "r-" + lever.name, value: val ? "on" : "off" });
      input.checked = lever.base === val;
      input.addEventListener("change", () => { markChanged(lever); showLeverError(lever.name, ""); });
      return el("label", {}, input, document.createTextNode(text));
    };
    box.append(top, help, el("div", { class: "toggle" }, mk(true, "on"), mk(false, "off")),
      el("div", { class: "basetext", text: `${baseName}: ${lever.base ? "on" : "off"}` }), err);
    return box;
  }
  const number = el("input", { type: "number", min: lever.min, max: lever.max, step: "any", value: lever.base });
  number.setAttribute("aria-label", lever.label + " (" + lever.unit_words + ")");
  const short = lever.unit === "hours" ? "hours" : "";
  top.append(el("span", { class: "value-box" }, number, short ? el("span", { class: "unit", text: short }) : null));
  const slider = el("input", { type: "range", min: lever.slider_min, max: lever.slider_max, step: lever.step, value: Math.min(lever.base, lever.slider_max) });
  slider.setAttribute("aria-label", lever.label + " slider");
  const pos = (Math.min(lever.base, lever.slider_max) - lever.slider_min) / (lever.slider_max - lever.slider_min);
  const mark = el("span", { class: "base-mark", text: "\u25B2" });
  mark.style.left = `calc(${(100 * pos).toFixed(2)}% + ${(8 - 16 * pos).toFixed(1)}px)`;
  const wrap = el("div", { class: "slider-wrap" }, slider, mark);
  const rangeNote = lever.slider_max < lever.max ? ` (slider to ${lever.slider_max}; type up to ${lever.max})` : "";
  const scale = el("div", { class: "scale" }, el("span", { text: String(lever.slider_min) }), el("span", { text: String(lever.slider_max) }));
  const baseText = el("div", { class: "basetext", text: `\u25B2 ${baseName}: ${lever.base} \u00B7 ${lever.unit_words}${rangeNote}` });
  slider.addEventListener("input", () => {
    number.value = slider.value;
    showLeverError(lever.name, checkLever(lever));
    markChanged(lever);
  });
  number.addEventListener("input", () => {
    const x = Number(number.value);
    if (Number.isFinite(x)) slider.value = Math.min(Math.max(x, lever.slider_min), lever.slider_max);
    showLeverError(lever.name, checkLever(lever));
    markChanged(lever);
  });
  box.append(top, help, wrap, scale, baseText, err);
  return box;
}

async function loadScenario(id) {
  state.scenario = await getJSON("/api/scenario?id=" + encodeURIComponent(id));
  const baseName = scenarioTitle(id);
  const d = state.scenario.description;
  const cut = d.search(/\.\s+(?=[A-Z])/);  // the first sentence ("art. 26" is not an end)
  const first = cut > 0 ? d.slice(0, cut + 1) : d;
  $("scenario-description").textContent = first.length > 260 ? first.slice(0, 240).replace(/\s+\S*$/, "") + "\u2026" : first;
  $("scenario-description").title = d;
  const levers = $("levers");
  levers.replaceChildren(...state.scenario.levers.map((l) => buildLever(l, baseName)));
}

function resetLevers() {
  clearErrors();
  loadScenario($("scenario").value);
}

// ---------- running ----------

function requestBody() {
  const levers = {};
  for (const l of state.scenario.levers) {
    const v = leverValue(l);
    levers[l.name] = l.type === "boolean" ? v : Number(v);
  }
  const [users, replicates] = $("size").value.split("x").map(Number);
  return { scenario: $("scenario").value, users, replicates, levers };
}

function setProgress(text, value) {
  $("progress-box").hidden = false;
  $("progress-text").textContent = text;
  if (value === null) $("progress").removeAttribute("value");
  else $("progress").value = value;
}

async function run() {
  clearErrors();
  let bad = false;
  for (const l of state.scenario.levers) {
    const m = checkLever(l);
    showLeverError(l.name, m);
    bad = bad || !!m;
  }
  if (bad) { $("run-error").textContent = "Some levers are out of range: see the red messages."; return; }
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  $("run").disabled = true;
  const t0 = performance.now();
  setProgress("Starting\u2026", null);
  try {
    const r = await fetch("/api/run", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(requestBody()), signal: controller.signal,
    });
    if (!r.ok) {
      const j = await r.json().catch(() => ({ error: r.statusText }));
      for (const [k, m] of Object.entries(j.fields || {})) showLeverError(k, m);
      throw new Error(j.error || r.statusText);
    }
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line);
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        if (ev.event === "queued") setProgress(`Waiting in the queue: ${ev.position} run${ev.position === 1 ? "" : "s"} ahead of yours (${secs} s)`, null);
        else if (ev.event === "progress") setProgress(`Simulating\u2026 ${Math.round(100 * ev.done / Math.max(ev.total, 1))} % (${secs} s)`, ev.total ? ev.done / ev.total : 0);
        else if (ev.event === "error") throw new Error(ev.error);
        else if (ev.event === "result") {
          const wall = (performance.now() - t0) / 1000;
          setProgress(`Done in ${wall.toFixed(1)} s` + (ev.base_cached ? " (base runs reused)" : ""), 1);
          document.body.dataset.lastRunSeconds = wall.toFixed(3);
          showResult(ev);
        }
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") {
      $("run-error").textContent = e.message;
      $("progress-box").hidden = true;
    }
  } finally {
    if (state.controller === controller) { state.controller = null; $("run").disabled = false; }
    pollStatus();
  }
}

// ---------- results ----------

const COLORS = { base: "#4a5d7e", whatif: "#d9661f" };
const FONT = { size: 18, family: "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif" };

// Chart.js plugins: a white background (for PNG export) and interval whiskers on bars.
const whiteBackground = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const c = chart.ctx;
    c.save(); c.fillStyle = "#fff"; c.fillRect(0, 0, chart.width, chart.height); c.restore();
  },
};
const whiskers = {
  id: "whiskers",
  afterDatasetsDraw(chart) {
    const iv = chart.options.plugins.whiskers && chart.options.plugins.whiskers.intervals;
    if (!iv) return;
    const meta = chart.getDatasetMeta(0);
    const x = chart.scales.x, c = chart.ctx;
    c.save(); c.strokeStyle = "#111"; c.lineWidth = 3;
    meta.data.forEach((bar, i) => {
      const [lo, hi] = iv[i] || [];
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
      const y = bar.y, h = bar.height * 0.35, x0 = x.getPixelForValue(lo), x1 = x.getPixelForValue(hi);
      c.beginPath(); c.moveTo(x0, y); c.lineTo(x1, y);
      c.moveTo(x0, y - h); c.lineTo(x0, y + h); c.moveTo(x1, y - h); c.lineTo(x1, y + h); c.stroke();
    });
    c.restore();
  },
};

function rowOf(outcome, platform = "") {
  return state.result.rows.find((r) => r.outcome === outcome && r.platform === platform);
}

function barChart(canvas, row, names) {
  const scale = isShare(row.unit) ? 100 : 1;
  const cells = row.cells;
  const his = cells.map((c) => (Number.isFinite(c.hi) ? c.hi : c.mean));
  const max = Math.max(...his.filter(Number.isFinite), 1e-9) * scale;
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: names,
      datasets: [{ data: cells.map((c) => (c.mean === null ? null : c.mean * scale)), backgroundColor: [COLORS.base, COLORS.whatif], barPercentage: 0.8, categoryPercentage: 0.9 }],
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        x: { beginAtZero: true, suggestedMax: max * 1.08, ticks: { font: FONT, callback: (v) => (isShare(row.unit) ? v + " %" : v) } },
        y: { ticks: { font: { ...FONT, weight: "bold" } } },
      },
      plugins: {
        legend: { display: false }, tooltip: { enabled: false },
        whiskers: { intervals: cells.map((c) => [c.lo === null ? NaN : c.lo * scale, c.hi === null ? NaN : c.hi * scale]) },
      },
    },
    plugins: [whiteBackground, whiskers],
  });
}

function seriesChart(canvas, outcome, unit, names) {
  const s = state.result.series;
  const start = new Date(state.result.start_date + "T00:00:00Z");
  const labels = s.record_day.map((d) => new Date(start.getTime() + d * 86400000).toISOString().slice(0, 7));
  const scale = isShare(unit) ? 100 : 1;
  const sc = (a) => a.map((x) => (x === null ? null : x * scale));
  const [b, w] = s.outcomes[outcome];
  const band = (color) => color + "33";
  const ds = [];
  for (const [series, color, name] of [[b, COLORS.base, names[0]], [w, COLORS.whatif, names[1]]]) {
    ds.push({ label: name + " lowest run", data: sc(series.lo), borderWidth: 0, pointRadius: 0, fill: false });
    ds.push({ label: name + " highest run", data: sc(series.hi), borderWidth: 0, pointRadius: 0, backgroundColor: band(color), fill: "-1" });
    ds.push({ label: name, data: sc(series.mean), borderColor: color, backgroundColor: color, borderWidth: 3, pointRadius: 0, fill: false });
  }
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets: ds },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        x: { ticks: { font: FONT, autoSkip: true, autoSkipPadding: 24, maxTicksLimit: 5, maxRotation: 0 } },
        y: { beginAtZero: true, ticks: { font: FONT, callback: (v) => (isShare(unit) ? v + " %" : v) } },
      },
      plugins: {
        legend: { labels: { font: FONT, filter: (item) => !item.text.includes(" run") } },
        tooltip: { enabled: false },
      },
    },
    plugins: [whiteBackground],
  });
}

function valueSpan(cls, who, x, row, extra) {
  return el("div", { class: cls, "data-value": x === null ? "" : String(x) },
    el("div", { class: "big", text: fmt(x, row.unit) }), el("div", { class: "who", text: who }), extra || null);
}

function changeText(cell, unit) {
  if (!cell.pairs) return "No change can be computed (the outcome is undefined in the runs).";
  let t = `Change: ${fmtChange(cell.diff, unit)}`;
  if (cell.pairs >= 2 && Number.isFinite(cell.diff_lo)) {
    t += ` (95 % interval ${fmtChange(cell.diff_lo, unit)} to ${fmtChange(cell.diff_hi, unit)})`;
    t += cell.diff_lo > 0 || cell.diff_hi < 0 ? ": unlikely to be chance." : ": could be chance.";
  } else {
    t += " (too few runs for an interval).";
  }
  return t;
}

function showResult(res) {
  state.result = res;
  state.charts.forEach((c) => c.destroy());
  state.charts = [];
  const baseTitle = scenarioTitle(res.scenario);
  const names = [baseTitle, "What-if"];
  const changed = Object.entries(res.levers);
  const leverLabel = (n) => (state.scenario.levers.find((l) => l.name === n) || { label: n }).label;
  const leverBase = (n) => (state.scenario.levers.find((l) => l.name === n) || {}).base;
  const onoff = (v) => (v === true ? "on" : v === false ? "off" : v);
  $("summary").textContent = `${baseTitle} against the what-if: ${intText(res.users)} simulated users, ${res.replicates} runs each, ` +
    `averaged over the last ${res.window_days} days of ${res.days}. ` +
    (changed.length ? "Changed: " + changed.map(([n, v]) => `${leverLabel(n)} ${onoff(leverBase(n))} \u2192 ${onoff(v)}`).join("; ") + "."
      : "No lever changed: the what-if is the base.");
  $("interval-note").innerHTML = "";
  $("interval-note").append(
    el("strong", { text: "What the intervals cover: " }),
    document.createTextNode(`the whiskers and "95 % interval"s show how much the answer varies between the ${res.replicates} simulated runs ` +
      "(replicate noise only). They do not cover uncertainty about the model's assumptions or its parameter values."));

  // Headline bars.
  const head = $("headline");
  head.replaceChildren();
  for (const name of state.config.headline) {
    const row = rowOf(name);
    if (!row) continue;
    const [b, w] = row.cells;
    const canvas = el("canvas");
    const card = el("div", { class: "card", "data-outcome": name },
      el("h3", { text: row.label.charAt(0).toUpperCase() + row.label.slice(1) }),
      el("div", { class: "values" }, valueSpan("v-base", baseTitle, b.mean, row), valueSpan("v-whatif", "What-if", w.mean, row)),
      el("div", { class: "bars" }, canvas),
      el("p", { class: "sentence", text: sentence(name, row.label, fmt(b.mean, row.unit), fmt(w.mean, row.unit), baseTitle) }),
      el("p", { class: "change", text: changeText(w, row.unit) }));
    card.dataset.diff = w.diff === null ? "" : String(w.diff);
    head.append(card);
    const bc = barChart(canvas, row, names);
    bc.$title = card.querySelector("h3").textContent + " (95 % intervals)";
    state.charts.push(bc);
  }

  // National figures, only where the scenario says how many real users it stands for.
  const nat = $("national");
  nat.replaceChildren();
  const R = res.represented_users;
  $("national-box").hidden = !R;
  if (R) {
    const items = [];
    const per100k = (o, words) => {
      const row = rowOf(o);
      if (!row) return;
      const [b, w] = row.cells.map((c) => (Number.isFinite(c.mean) ? (c.mean * R) / 1e5 : null));
      if (b === null || w === null) return;
      items.push(el("li", { "data-national": o, text: `About ${intText(b)} ${words} a day across the country (${intText(R)} internet users); with this design about ${intText(w)}.` }));
    };
    per100k("wrongful_removals_per_100k", "lawful posts removed");
    per100k("users_sanctioned_per_100k", "users punished");
    per100k("takedown_requests_per_100k", "takedown requests");
    const posted = rowOf("posted_per_user_day"), scr = rowOf("self_censorship_rate");
    if (posted && scr) {
      const withheld = (i) => {
        const p = posted.cells[i].mean, s = scr.cells[i].mean;
        return Number.isFinite(p) && Number.isFinite(s) && s < 1 ? (p * R * s) / (1 - s) : null;
      };
      const b = withheld(0), w = withheld(1);
      if (b !== null && w !== null)
        items.push(el("li", { "data-national": "posts_withheld", text: `About ${intText(b)} political posts held back a day across the country; with this design about ${intText(w)}.` }));
    }
    nat.append(el("ul", { class: "national" }, ...items));
  }

  // Per-platform compliance, with the number of requests behind it.
  const plat = $("platforms");
  plat.replaceChildren();
  const minReq = state.config.min_requests;
  const req = res.requests;
  res.platforms.forEach((p, pi) => {
    const row = rowOf("takedown_compliance_rate", p);
    if (!row) return;
    const card = el("div", { class: "card", "data-platform": p }, el("h3", { text: `${p}: share of takedown requests honoured` }));
    const vals = el("div", { class: "values" });
    row.cells.forEach((c, i) => {
      const count = req.per_platform ? req.platform[i][pi] : null;
      const who = i === 0 ? baseTitle : "What-if";
      const cls = i === 0 ? "v-base" : "v-whatif";
      const few = req.per_platform ? count < minReq : !Number.isFinite(c.mean) || c.n < res.replicates;
      const behind = req.per_platform ? `from ${intText(count)} requests` : `${c.n} of ${res.replicates} runs had requests`;
      if (few || !Number.isFinite(c.mean))
        vals.append(el("div", { class: cls + " too-few", "data-value": "" }, el("div", { text: "too few requests to say" }), el("div", { class: "who", text: `${who} (${behind})` })));
      else vals.append(valueSpan(cls, who, c.mean, row, el("div", { class: "help", text: behind })));
    });
    card.append(vals);
    plat.append(card);
  });
  if (!req.per_platform && req.total)
    plat.append(el("p", { class: "help", text: `Takedown requests to all platforms together in the last ${res.window_days} days, all runs: ` +
      `${intText(req.total[0])} (${baseTitle}), ${intText(req.total[1])} (what-if). This model version does not count them per platform.` }));

  // Time series of the headline outcomes.
  const ser = $("series");
  ser.replaceChildren();
  for (const name of state.config.headline) {
    if (!res.series.outcomes[name]) continue;
    const info = outcomeInfo(name);
    const canvas = el("canvas");
    ser.append(el("div", { class: "card" }, el("h3", { text: info.label.charAt(0).toUpperCase() + info.label.slice(1) }), el("div", { class: "ts" }, canvas)));
    const sc = seriesChart(canvas, name, info.unit, names);
    sc.$title = info.label.charAt(0).toUpperCase() + info.label.slice(1) + ", over time (band: lowest to highest run)";
    state.charts.push(sc);
  }

  // Exports.
  const blobUrl = (text, type) => URL.createObjectURL(new Blob([text], { type }));
  $("save-base").href = blobUrl(res.files.base_toml, "application/toml");
  $("save-base").download = res.files.base_name;
  $("save-base").textContent = `Save base (${res.files.base_name})`;
  $("save-whatif").href = blobUrl(res.files.whatif_toml, "application/toml");
  $("save-whatif").download = res.files.whatif_name;
  $("save-whatif").textContent = `Save what-if (${res.files.whatif_name})`;
  $("save-csv").href = blobUrl(res.csv, "text/csv");
  $("save-csv").download = res.files.whatif_name.replace(/\.toml$/, ".csv");
  $("export-help").textContent = `Save both .toml files in one folder; then \u201Ccomplysim compare ${res.files.base_name} ${res.files.whatif_name}\u201D ` +
    "prints the same numbers (the CSV is its --format csv table).";

  // The full table.
  const table = el("table");
  table.append(el("tr", {}, ...["outcome", "platform", baseTitle, "what-if", "change", "95 % interval of the change"].map((h) => el("th", { text: h }))));
  for (const r of res.rows) {
    const [b, w] = r.cells;
    table.append(el("tr", { "data-row": r.outcome + (r.platform ? "/" + r.platform : "") },
      el("td", { text: r.label, title: r.outcome }), el("td", { text: r.platform }),
      el("td", { text: b.present ? fmt(b.mean, r.unit) : "-" }), el("td", { text: w.present ? fmt(w.mean, r.unit) : "-" }),
      el("td", { text: w.pairs ? fmtChange(w.diff, r.unit) : "n/a" }),
      el("td", { text: w.pairs >= 2 && Number.isFinite(w.diff_lo) ? `${fmtChange(w.diff_lo, r.unit)} to ${fmtChange(w.diff_hi, r.unit)}` : "" })));
  }
  $("table-box").replaceChildren(table);

  $("empty").hidden = true;
  $("answer").hidden = false;
  document.body.dataset.state = "result";
}

/** All charts stacked into one PNG. */
function savePng() {
  if (!state.charts.length) return;
  const canvases = state.charts.map((c) => c.canvas);
  const pad = 24, lineH = 30;
  const width = Math.max(...canvases.map((c) => c.width)) + 2 * pad;
  const head = state.result ? `${scenarioTitle(state.result.scenario)} (slate) against the what-if (orange): ` +
    `${intText(state.result.users)} users, ${state.result.replicates} runs. A model, not a forecast.` : "";
  const measure = document.createElement("canvas").getContext("2d");
  const wrap = (text, font) => {  // lines of `text` that fit the width in `font`
    measure.font = font;
    const lines = [];
    let line = "";
    for (const word of text.split(" ")) {
      const t = line ? line + " " + word : word;
      if (line && measure.measureText(t).width > width - 2 * pad) { lines.push(line); line = word; } else line = t;
    }
    if (line) lines.push(line);
    return lines;
  };
  const headFont = `22px ${FONT.family}`, titleFont = `bold 24px ${FONT.family}`;
  const blocks = [{ lines: wrap(head, headFont), font: headFont, canvas: null }].concat(
    state.charts.map((c) => ({ lines: wrap(c.$title || "", titleFont), font: titleFont, canvas: c.canvas })));
  const height = blocks.reduce((h, b) => h + b.lines.length * lineH + (b.canvas ? b.canvas.height : 0) + pad, pad);
  const out = document.createElement("canvas");
  out.width = width; out.height = height;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#111"; ctx.textBaseline = "top";
  let y = pad;
  for (const b of blocks) {
    ctx.font = b.font;
    for (const l of b.lines) { ctx.fillText(l, pad, y); y += lineH; }
    if (b.canvas) { ctx.drawImage(b.canvas, pad, y + 6); y += b.canvas.height + 6; }
    y += pad;
  }
  const a = el("a", { href: out.toDataURL("image/png"), download: (state.result ? state.result.files.whatif_name.replace(/\.toml$/, "") : "complysim") + "-charts.png" });
  document.body.append(a); a.click(); a.remove();
}

async function pollStatus() {
  try {
    const s = await getJSON("/api/status");
    $("server-status").textContent = s.running ? `Server: one run in progress, ${s.queued} waiting (at most ${s.max_queue}).` : "Server: ready.";
  } catch (e) {
    $("server-status").textContent = "Server not answering.";
  }
}

async function init() {
  if (typeof Chart === "undefined") {
    $("run-error").textContent = "Chart.js is missing on the server (install Debian's libjs-chart.js): no charts.";
    window.Chart = function () { return { destroy() {}, canvas: document.createElement("canvas") }; };
  } else {
    Chart.defaults.font.family = FONT.family;
    Chart.defaults.color = "#111";
    Chart.defaults.devicePixelRatio = 2;
  }
  state.config = await getJSON("/api/config");
  if (!state.config.model_doc) $("model-link").removeAttribute("href");
  const sel = $("scenario");
  for (const s of state.config.scenarios) {
    const o = el("option", { value: s.id, text: `${scenarioTitle(s.id)} (${s.id}.toml)` });
    sel.append(o);
  }
  sel.value = state.config.default_scenario;
  sel.addEventListener("change", () => { clearErrors(); loadScenario(sel.value); });
  const size = $("size");
  state.config.sizes.forEach((z, i) => {
    size.append(el("option", { value: `${z.users}x${z.replicates}`, text: `${intText(z.users)} users \u00D7 ${z.replicates} runs` + (i === 0 ? " (seconds)" : "") }));
  });
  await loadScenario(sel.value);
  $("run").addEventListener("click", run);
  $("reset").addEventListener("click", resetLevers);
  $("save-png").addEventListener("click", savePng);
  pollStatus();
  setInterval(pollStatus, 3000);
  document.body.dataset.state = "ready";
}

init().catch((e) => { $("run-error").textContent = "Could not load the page's data: " + e.message; });
