// The analytics dashboard: signs an administrator in through the gateway, reads the reporting
// API (/api/admin/analytics/...) with their token, and refreshes as events arrive (it polls the
// ingestion figure every few seconds and reloads the reports when it moves).
// Plain JavaScript and the vendored uPlot: nothing to build.
"use strict";

const API = "/api/admin/analytics";
const POLL_MS = 3000;
const TOKEN_KEY = "shop.dashboard.token";
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const state = {
  period: "7",
  granularity: "day",
  currency: null,
  lastEvents: null,
  chart: null,
  reports: {},
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
};

// ------------------------------------------------------------------------- sign-in and calls

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function showSignIn(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("board").hidden = true;
  for (const id of ["periods", "currency", "live", "sign-out"]) $(id).hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message || "";
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/users/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    showSignIn(problem.detail || problem.title || "Signing in failed");
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, (await response.json()).accessToken);
  start();
}

class SignedOut extends Error {}

async function api(path, params = {}) {
  const query = new URLSearchParams({ ...periodParams(), ...params });
  const response = await fetch(`${API}/${path}?${query}`, {
    headers: { authorization: `Bearer ${token()}` },
  });
  if (response.status === 401) throw new SignedOut("Your session ended; sign in again");
  if (response.status === 403) throw new SignedOut("This account is not an administrator");
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.headers.get("content-type")?.includes("json") ? response.json() : response.blob();
}

// ------------------------------------------------------------------------------------ period

function localDate(date) {
  // YYYY-MM-DD of `date` in the browser's time zone (the reports' `tz`).
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

function periodParams() {
  const today = new Date();
  const days = state.period === "today" ? 1 : Number(state.period);
  const from = new Date(today.getTime() - (days - 1) * 86400000);
  return { from: localDate(from), to: localDate(today), tz: timeZone };
}

// ----------------------------------------------------------------------------------- figures

// Minor units per major unit: 100 for EUR, 1 for JPY (ISO 4217 exponents, as Intl knows them).
const minorPerMajor = (currency) =>
  10 ** new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
function money(minor, currency) {
  if (minor === null || minor === undefined) return "–";
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / minorPerMajor(currency));
}
const count = (n) => new Intl.NumberFormat().format(n);
const percent = (r) => (r === null || r === undefined ? "–" : `${(r * 100).toFixed(1)} %`);
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function change(current, previous) {
  if (current === null || previous === null || current === undefined || previous === undefined) return el("span", { class: "change" }, "");
  if (previous === 0) return el("span", { class: "change" }, current === 0 ? "no change" : "new");
  const delta = (current - previous) / Math.abs(previous);
  const cls = delta > 0 ? "up" : delta < 0 ? "down" : "";
  const arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "•";
  return el("span", { class: `change ${cls}`, title: "against the previous period" }, `${arrow} ${(Math.abs(delta) * 100).toFixed(1)} %`);
}

// ----------------------------------------------------------------------------------- drawing

function renderKpis(report, currencies) {
  const select = $("currency");
  select.replaceChildren(...currencies.map((c) => el("option", c === state.currency ? { value: c, selected: "" } : { value: c }, c)));
  select.hidden = currencies.length < 2;

  const figures = report.currencies.find((c) => c.currency === state.currency) ||
    { currency: "EUR", current: {}, previous: {} };
  const { current, previous, currency } = figures;
  const tiles = [
    ["orders", "Orders", current.orders ?? 0, previous.orders ?? 0, count],
    ["paidOrders", "Paid orders", current.paidOrders ?? 0, previous.paidOrders ?? 0, count],
    ["grossRevenueMinor", "Gross revenue", current.grossRevenueMinor ?? 0, previous.grossRevenueMinor ?? 0, (v) => money(v, currency)],
    ["netRevenueMinor", "Net revenue", current.netRevenueMinor ?? 0, previous.netRevenueMinor ?? 0, (v) => money(v, currency)],
    ["averageOrderValueMinor", "Average order", current.averageOrderValueMinor ?? null, previous.averageOrderValueMinor ?? null, (v) => money(v, currency)],
    ["conversionRate", "Paid / placed", current.conversionRate ?? null, previous.conversionRate ?? null, percent],
    ["cancellationRate", "Cancelled", current.cancellationRate ?? null, previous.cancellationRate ?? null, percent],
    ["refundRate", "Refunded", current.refundRate ?? null, previous.refundRate ?? null, percent],
    ["newCustomers", "New customers", report.customers.newCustomers, report.previousCustomers.newCustomers, count],
    ["returningCustomers", "Returning customers", report.customers.returningCustomers, report.previousCustomers.returningCustomers, count],
  ];
  $("kpis").replaceChildren(...tiles.map(([key, label, value, before, format]) =>
    el("div", { class: "tile", "data-kpi": key, "data-value": value ?? "" },
      el("div", { class: "label" }, label),
      el("div", { class: "value" }, value === null ? "–" : format(value)),
      change(value, before))));
  $("period-line").textContent =
    `${report.period.from} to ${report.period.to} (${report.period.timeZone}), against ${report.previousPeriod.from} to ${report.previousPeriod.to}`;
}

function renderSeries(report) {
  const box = $("series-chart");
  const series = report.currencies.find((c) => c.currency === state.currency);
  const points = series ? series.points : [];
  const xs = points.map((p) => Date.parse(p.start) / 1000);
  const scale = minorPerMajor(state.currency || "EUR");
  const revenue = points.map((p) => p.grossRevenueMinor / scale);
  const orders = points.map((p) => p.orders);
  box.dataset.orders = String(orders.reduce((a, b) => a + b, 0));
  box.dataset.revenueMinor = String(points.reduce((a, p) => a + p.grossRevenueMinor, 0));
  box.dataset.points = String(points.length);
  const width = Math.max(box.clientWidth, 320);
  const options = {
    width,
    height: 260,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { x: { time: true }, revenue: {}, orders: {} },
    series: [
      {},
      { label: `Gross revenue (${state.currency || "–"})`, scale: "revenue", stroke: "#2563eb", fill: "rgba(37,99,235,0.12)", width: 2,
        value: (u, v) => (v === null ? "–" : money(Math.round(v * scale), state.currency || "EUR")) },
      { label: "Orders", scale: "orders", stroke: "#f59e0b", width: 2, paths: uPlot.paths.bars({ size: [0.6, 40] }), fill: "rgba(245,158,11,0.35)" },
    ],
    axes: [
      {},
      { scale: "revenue", label: "Revenue", values: (u, ticks) => ticks.map((t) => count(t)) },
      { scale: "orders", side: 1, label: "Orders", grid: { show: false } },
    ],
  };
  if (state.chart) state.chart.destroy();
  state.chart = new uPlot(options, [xs, revenue, orders], box);
}

function bars(container, rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  container.replaceChildren(...rows.map((r) =>
    el("div", { class: "bar-row", "data-key": r.key, "data-value": r.value },
      el("div", { class: "bar-label" }, r.label),
      el("div", { class: "bar-track" }, el("div", { class: "bar-fill", style: `width:${(100 * r.value) / max}%` })),
      el("div", { class: "bar-figure" }, r.figure))));
  if (!rows.length) container.replaceChildren(el("p", { class: "muted" }, "Nothing in this period"));
}

function renderFunnel(report) {
  const names = { placed: "Placed", "stock-reserved": "Stock reserved", paid: "Paid", shipped: "Shipped" };
  bars($("funnel"), report.steps.map((s) => ({
    key: s.step,
    label: names[s.step] || s.step,
    value: s.orders,
    figure: s.step === "placed" ? count(s.orders)
      : `${count(s.orders)} · ${percent(s.conversionFromPrevious)} · median ${duration(s.medianSecondsFromPrevious)}`,
  })));
}

function renderCancellations(report) {
  bars($("cancellations"), report.reasons.map((r) => ({
    key: r.reason, label: r.reason, value: r.orders, figure: `${count(r.orders)} · ${percent(r.share)}`,
  })));
}

function table(node, head, rows) {
  node.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: head.length, class: "muted" }, "Nothing in this period"))])));
}

function renderTop(node, report, withName) {
  const entries = report.entries.filter((e) => e.currency === state.currency);
  table(node, [withName ? "Product" : "Category", "Units", "Revenue"], entries.map((e) =>
    el("tr", { "data-key": e.key, "data-units": e.units, "data-revenue-minor": e.revenueMinor },
      el("td", {}, withName ? `${e.name || e.key} ` : e.key, withName ? el("span", { class: "muted" }, e.key) : ""),
      el("td", { class: "num" }, count(e.units)),
      el("td", { class: "num" }, money(e.revenueMinor, e.currency)))));
}

function renderStock(report) {
  table($("lost-sales"), ["SKU", "Orders", "Units", "Lost revenue"], report.lostSales.map((l) =>
    el("tr", { "data-key": l.sku, "data-orders": l.orders },
      el("td", {}, l.sku), el("td", { class: "num" }, count(l.orders)), el("td", { class: "num" }, count(l.units)),
      el("td", { class: "num" }, l.currency ? money(l.lostRevenueMinor, l.currency) : "–"))));
  table($("low-stock"), ["SKU", "Available", "Threshold", "Signalled"], report.lowStock.map((s) =>
    el("tr", { "data-key": s.sku },
      el("td", {}, s.sku), el("td", { class: "num warn" }, count(s.available)), el("td", { class: "num" }, count(s.threshold)),
      el("td", {}, new Date(s.signalledAt).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })))));
}

function renderCohorts(report) {
  const weeks = Math.max(0, ...report.cohorts.map((c) => c.active.length));
  const head = ["Cohort", "Customers", ...Array.from({ length: weeks }, (_, i) => `W${i}`)];
  table($("cohorts"), head, report.cohorts.map((c) =>
    el("tr", { "data-key": c.week },
      el("td", {}, c.week), el("td", { class: "num" }, count(c.customers)),
      ...c.retention.map((r, i) => el("td", { class: "num heat", style: `background:rgba(37,99,235,${(0.08 + 0.8 * r).toFixed(2)})`, title: `${c.active[i]} customers` }, percent(r))))));
}

// ---------------------------------------------------------------------------------- refreshing

async function refresh() {
  // Every currency first (for the choice), then each report for the chosen one: a market at a
  // time, money never mixed.
  const all = await api("kpis");
  const currencies = all.currencies.map((c) => c.currency);
  if (!currencies.includes(state.currency)) {
    const best = [...all.currencies].sort((a, b) => b.current.grossRevenueMinor - a.current.grossRevenueMinor)[0];
    state.currency = best ? best.currency : null;
  }
  const scope = state.currency ? { currency: state.currency } : {};
  const [kpis, series, funnel, products, categories, cancellations, stock, cohorts] = await Promise.all([
    api("kpis", scope), api("series", { ...scope, granularity: state.granularity }), api("funnel", scope),
    api("top/products", { ...scope, limit: 10 }), api("top/categories", { ...scope, limit: 10 }),
    api("cancellations", scope), api("stock", { ...scope, limit: 10 }), api("cohorts", scope),
  ]);
  state.reports = { currencies, kpis, series, funnel, products, categories, cancellations, stock, cohorts };
  draw();
}

function draw() {
  const r = state.reports;
  if (!r.kpis) return;
  renderKpis(r.kpis, r.currencies);
  renderSeries(r.series);
  renderFunnel(r.funnel);
  renderTop($("top-products"), r.products, true);
  renderTop($("top-categories"), r.categories, false);
  renderCancellations(r.cancellations);
  renderStock(r.stock);
  renderCohorts(r.cohorts);
  document.body.dataset.renderedEvents = String(state.lastEvents ?? "");
}

async function poll() {
  try {
    const ingestion = await api("ingestion");
    if (ingestion.events !== state.lastEvents) {
      await refresh();
      state.lastEvents = ingestion.events;
      document.body.dataset.renderedEvents = String(ingestion.events);
    }
    $("live").classList.remove("stale");
    $("updated").textContent = `${count(ingestion.events)} events · updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (error instanceof SignedOut) return showSignIn(error.message);
    $("live").classList.add("stale");
    $("updated").textContent = `not updating: ${error.message}`;
  }
  state.timer = setTimeout(poll, POLL_MS);
}

async function downloadCsv(event) {
  event.preventDefault();
  const report = event.target.dataset.report;
  const extra = report === "series" ? { granularity: state.granularity } : {};
  const blob = await api(report, { ...extra, format: "csv" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${report.replace("/", "-")}-${periodParams().from}-${periodParams().to}.csv` });
  link.click();
  URL.revokeObjectURL(link.href);
}

function start() {
  $("sign-in").hidden = true;
  $("board").hidden = false;
  for (const id of ["periods", "live", "sign-out"]) $(id).hidden = false;
  state.lastEvents = null;
  clearTimeout(state.timer);
  poll();
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", () => { clearTimeout(state.timer); showSignIn(); });
$("currency").addEventListener("change", (e) => {
  state.currency = e.target.value;
  state.lastEvents = null; // reload every report for the new currency
  clearTimeout(state.timer);
  poll();
});
for (const button of document.querySelectorAll("#periods button")) {
  button.addEventListener("click", () => {
    document.querySelectorAll("#periods button").forEach((b) => b.classList.toggle("active", b === button));
    state.period = button.dataset.period;
    state.granularity = button.dataset.granularity;
    state.lastEvents = null;
    clearTimeout(state.timer);
    poll();
  });
}
for (const link of document.querySelectorAll("a.csv")) link.addEventListener("click", downloadCsv);
window.addEventListener("resize", () => { if (state.chart) state.chart.setSize({ width: Math.max($("series-chart").clientWidth, 320), height: 260 }); });

if (token()) start(); else showSignIn();
