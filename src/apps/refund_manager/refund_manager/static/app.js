// The Refund Manager page: plain DOM, every value written with textContent (never as HTML); the
// helpers ($, el, api, toast, money, when, step, showIdentity, Pager) are the apps' shared /kit/kit.js.
"use strict";

const state = { status: "pending", limit: 25, pager: new Pager(), includeZero: false, items: [], current: null };
const LABELS = { none: "No refund", partial: "Partial", full: "Full", error: "Unreadable" };

const badge = (kind) => el("span", { class: `badge ${kind}`, text: LABELS[kind] || kind });

async function loadSummary() {
  const s = await api("/api/summary");
  $("s-pending").textContent = s.pending;
  $("s-decided").textContent = s.decided;
  $("s-suggested").textContent = money(s.suggested_usd);
  $("s-refunded").textContent = money(s.refunded_usd);
  const classes = $("s-classes");
  classes.replaceChildren(...Object.entries(s.by_class).filter(([, n]) => n > 0)
    .map(([kind, n]) => el("span", {}, badge(kind), ` ${n}`)));
  if (!classes.children.length) classes.textContent = "none yet";
}

async function loadList() {
  const zero = state.includeZero ? "&include_zero=true" : "";
  const data = await api(`/api/recommendations?status=${state.status}&limit=${state.limit}${zero}${state.pager.query()}`);
  state.items = data.items;
  const rows = data.items.map((item) => {
    const rec = item.recommendation;
    const decision = item.decision
      ? el("span", {}, badge(item.decision.refund_class), ` ${money(item.decision.amount_usd)}`)
      : el("span", { class: "badge outline", text: "pending" });
    const row = el("tr", { "data-order": item.order_id },
      el("td", {}, el("code", { text: item.order_id })),
      el("td", { text: when(item.ts) }),
      el("td", {}, badge(rec.refund_class)),
      el("td", { class: "num", text: money(rec.refund_usd) }),
      el("td", { class: "reason", text: rec.reason }),
      el("td", {}, decision));
    row.addEventListener("click", () => openOrder(item));
    return row;
  });
  document.querySelector("#recs tbody").replaceChildren(...rows);
  $("empty").hidden = rows.length > 0;
  state.pager.show(data, state.limit);
}

async function refresh() {
  try {
    await Promise.all([loadSummary(), loadList()]);
  } catch (error) {
    toast(error.message, true);
  }
}

function amountFor(kind) {  // a full refund is the order's total; none is 0
  const item = state.current;
  if (kind === "none") return 0;
  if (kind === "full" && item.order_total_usd !== null) return item.order_total_usd;
  return Number($("f-amount").value) || item.recommendation.refund_usd;
}

function fill(kind, amount, reason) {
  $("f-class").value = kind;
  $("f-amount").value = Number(amount).toFixed(2);
  $("f-reason").value = reason;
}

async function openOrder(item) {
  state.current = item;
  const rec = item.recommendation;
  $("drawer").hidden = false;
  $("d-title").textContent = `Order ${item.order_id}`;
  const total = item.order_total_usd;
  $("f-total").textContent = total === null ? "" : `· order total ${money(total)}`;
  $("f-amount").max = total === null ? "" : total;
  $("d-suggestion").replaceChildren(
    el("div", {}, "RefundGPT suggests ", badge(rec.refund_class), " ", el("strong", { text: money(rec.refund_usd) })),
    el("p", { class: "muted", text: rec.reason }));
  const decided = Boolean(item.decision);
  $("decide").hidden = decided;
  $("d-decided").hidden = !decided;
  if (decided) {
    const d = item.decision;
    $("d-decided").replaceChildren(el("div", {}, "Decided: ", badge(d.refund_class), " ", el("strong", { text: money(d.amount_usd) })),
      el("p", { class: "muted", text: `${d.reason} — ${d.decided_by}, ${when(d.decided_ts)}` }));
  } else {
    const kind = rec.refund_class === "error" ? "none" : rec.refund_class;
    fill(kind, kind === "none" ? 0 : rec.refund_usd, rec.reason);
  }
  const timeline = $("d-timeline");
  timeline.replaceChildren(el("li", { class: "muted", text: "Loading…" }));
  try {
    const data = await api(`/api/orders/${encodeURIComponent(item.order_id)}/events`);
    const start = data.events.length ? new Date(data.events[0].ts) : null;
    timeline.replaceChildren(...data.events.map((e) => {
      const minutes = start ? Math.round((new Date(e.ts) - start) / 60000) : 0;
      return el("li", {}, el("div", { text: step(e.event_type) }),
        el("div", { class: "when", text: `${when(e.ts)}${minutes > 0 ? ` · +${minutes} min` : ""}` }));
    }));
  } catch (error) {
    timeline.replaceChildren(el("li", { class: "muted", text: error.message }));
  }
}

async function submit(kind, amount, reason) {
  const item = state.current;
  try {
    await api("/api/refunds", { method: "POST",
      body: JSON.stringify({ order_id: item.order_id, refund_class: kind, amount_usd: Number(amount), reason }) });
    toast(`Order ${item.order_id}: ${LABELS[kind]} ${money(amount)} recorded`);
    $("drawer").hidden = true;
  } catch (error) {
    toast(error.message, true);
  }
  await showIdentity().catch((error) => toast(error.message, true));
refresh();
}

$("decide").addEventListener("submit", (event) => {
  event.preventDefault();
  submit($("f-class").value, $("f-amount").value, $("f-reason").value);
});
$("accept").addEventListener("click", () => {
  const item = state.current;
  const rec = item.recommendation;
  const kind = rec.refund_class === "error" ? "none" : rec.refund_class;
  const full = kind === "full" && item.order_total_usd !== null;  // a full refund is the order's total
  submit(kind, kind === "none" ? 0 : full ? item.order_total_usd : rec.refund_usd, rec.reason);
});
$("reject").addEventListener("click", () => submit("none", 0, $("f-reason").value || "No refund."));
$("f-class").addEventListener("change", () => {
  $("f-amount").value = Number(amountFor($("f-class").value)).toFixed(2);
});
$("include-zero").addEventListener("change", () => {
  state.includeZero = $("include-zero").checked;
  state.pager.reset();
  loadList().catch((error) => toast(error.message, true));
});
$("close").addEventListener("click", () => ($("drawer").hidden = true));
$("refresh").addEventListener("click", refresh);
$("prev").addEventListener("click", () => { state.pager.back(); loadList(); });
$("next").addEventListener("click", () => { state.pager.forward(); loadList(); });
for (const tab of document.querySelectorAll(".tabs [data-status]")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tabs [data-status]").forEach((t) => t.classList.toggle("active", t === tab));
    state.status = tab.dataset.status;
    state.pager.reset();
    loadList().catch((error) => toast(error.message, true));
  });
}
showIdentity().catch((error) => toast(error.message, true));
refresh();
