// What the apps' pages share: DOM written with textContent only (never as HTML), JSON calls whose
// errors carry the API's message, toasts, and formats. Loaded before each app's own app.js.
"use strict";

const $ = (id) => document.getElementById(id);
const money = (n) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(n || 0);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");
const STEPS = { order_created: "Order placed", gk_started: "Kitchen started cooking", gk_finished: "Kitchen finished",
  gk_ready: "Ready for pickup", driver_arrived: "Driver arrived", driver_picked_up: "Picked up", delivered: "Delivered" };
const step = (type) => STEPS[type] || type.replaceAll("_", " ");

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || `HTTP ${response.status}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function toast(text, bad = false) {
  const node = $("toast");
  node.textContent = text;
  node.className = bad ? "toast bad" : "toast";
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.hidden = true), 4000);
}

// Who acts: the header names them; in local mode (no sign-in) a banner says so, in plain sight.
async function showIdentity() {
  const me = await api("/api/me");
  $("who").textContent = `${me.user}${me.approver ? " · approver" : ""}`;
  if (me.local_fallback) {
    $("local-banner").textContent = `Local mode: no sign-in, you act as "${me.user}"${me.approver ? " (approver)" : ""}. ` +
      "Deployed, the app knows who you are from Databricks Apps.";
    $("local-banner").hidden = false;
  }
  return me;
}

// Keyset pages: the API gives the cursor after a page; going back re-asks the cursor before it.
class Pager {
  constructor() { this.reset(); }
  reset() { this.cursors = [null]; this.next = null; }
  get current() { return this.cursors[this.cursors.length - 1]; }
  query() { return this.current ? `&after=${encodeURIComponent(this.current)}` : ""; }
  forward() { if (this.next) this.cursors.push(this.next); }
  back() { if (this.cursors.length > 1) this.cursors.pop(); }
  show(data, limit) {  // data: {items, next, total}
    this.next = data.next;
    const first = (this.cursors.length - 1) * limit;
    $("page").textContent = data.items.length ? `${first + 1}–${first + data.items.length} of ${data.total}` : "";
    $("prev").disabled = this.cursors.length === 1;
    $("next").disabled = !data.next;
  }
}

// One token per reply the page prepares: sending it twice (a double click) sends one reply.
function newToken() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}
