// The Refund Manager page: plain DOM, every value written with textContent (never as HTML); the
// helpers ($, el, api, toast, money, when, step) are the apps' shared /kit/kit.js.
"use strict";

const state = { status: "pending", offset: 0, limit: 25, items: [], current: null };
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
  const data = await api(`/api/recommendations?status=${state.status}&limit=${state.limit}&offset=${state.offset}`);
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
  $("page").textContent = rows.length ? `${state.offset + 1}–${state.offset + rows.length}` : "";
  $("prev").disabled = state.offset === 0;
  $("next").disabled = rows.length < state.limit;
}

async function refresh() {
  try {
    await Promise.all([loadSummary(), loadList()]);
  } catch (error) {
    toast(error.message, true);
  }
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
  await refresh();
}

$("decide").addEventListener("submit", (event) => {
  event.preventDefault();
  submit($("f-class").value, $("f-amount").value, $("f-reason").value);
});
$("accept").addEventListener("click", () => {
  const rec = state.current.recommendation;
  const kind = rec.refund_class === "error" ? "none" : rec.refund_class;
  submit(kind, kind === "none" ? 0 : rec.refund_usd, rec.reason);
});
$("reject").addEventListener("click", () => submit("none", 0, $("f-reason").value || "No refund."));
$("f-class").addEventListener("change", () => {
  if ($("f-class").value === "none") $("f-amount").value = "0.00";
});
$("close").addEventListener("click", () => ($("drawer").hidden = true));
$("refresh").addEventListener("click", refresh);
$("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); loadList(); });
$("next").addEventListener("click", () => { state.offset += state.limit; loadList(); });
for (const tab of document.querySelectorAll(".tabs [data-status]")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tabs [data-status]").forEach((t) => t.classList.toggle("active", t === tab));
    state.status = tab.dataset.status;
    state.offset = 0;
    loadList().catch((error) => toast(error.message, true));
  });
}
refresh();
