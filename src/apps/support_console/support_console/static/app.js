// The Support Console page: plain DOM, every value written with textContent (never as HTML); the
// helpers ($, el, api, toast, money, when, step) are the apps' shared /kit/kit.js.
"use strict";

const state = { status: "pending", items: [], current: null };
const STATUS = { pending: "Pending", in_progress: "In progress", resolved: "Resolved" };
const ACTIONS = { apply_refund: "Refund applied", apply_credit: "Credit applied", send_reply: "Reply sent" };

const badge = (kind, text) => el("span", { class: `badge ${kind}`, text: text || kind });

async function loadSummary() {
  const s = await api("/api/summary");
  $("s-pending").textContent = s.by_status.pending;
  $("s-progress").textContent = s.by_status.in_progress;
  $("s-resolved").textContent = s.by_status.resolved;
  $("s-escalated").textContent = s.escalated;
  const applied = Object.entries(s.applied).filter(([kind]) => kind !== "send_reply")
    .map(([kind, a]) => `${ACTIONS[kind]}: ${a.count} (${money(a.amount_usd)})`);
  $("s-applied").textContent = applied.length ? applied.join(" · ") : "nothing yet";
}

function agentBadge(report) {
  if (!report.valid) return badge("error", "unreadable");
  return report.escalation_flag ? badge("full", "escalate") : badge("none", report.decision_confidence);
}

async function loadList() {
  const data = await api(`/api/reports?status=${state.status}&limit=100`);
  state.items = data.items;
  const rows = data.items.map((item) => {
    const row = el("tr", { "data-request": item.support_request_id },
      el("td", {}, el("code", { text: item.support_request_id.slice(0, 8) })),
      el("td", { text: item.user_id }),
      el("td", {}, el("code", { text: item.order_id })),
      el("td", { class: "reason", text: item.request_text }),
      el("td", { class: "num", text: money(item.report.refund.amount_usd) }),
      el("td", { class: "num", text: money(item.report.credit.amount_usd) }),
      el("td", {}, agentBadge(item.report)),
      el("td", {}, badge("outline", STATUS[item.status])));
    row.addEventListener("click", () => openRequest(item.support_request_id));
    return row;
  });
  document.querySelector("#reports tbody").replaceChildren(...rows);
  $("empty").hidden = rows.length > 0;
}

function showReport(item) {
  const r = item.report;
  $("d-title").textContent = `Request ${item.support_request_id.slice(0, 8)} · ${item.user_id} · order ${item.order_id}`;
  $("d-request").textContent = item.request_text;
  $("d-report").replaceChildren(
    el("p", {}, agentBadge(r), ` ${STATUS[item.status]}${item.regenerated ? " · regenerated" : ""}`),
    el("p", { text: `Refund ${money(r.refund.amount_usd)} · Credit ${money(r.credit.amount_usd)} — ${r.refund.reason}` }),
    el("p", { class: "muted", text: `Order: ${r.order_details_summary}` }),
    el("p", { class: "muted", text: `History: ${r.past_interactions_summary}` }));
  $("apply-refund").textContent = `Apply refund ${money(r.refund.amount_usd)}`;
  $("apply-credit").textContent = `Apply credit ${money(r.credit.amount_usd)}`;
  $("apply-refund").disabled = !(r.refund.amount_usd > 0) || item.actions.some((a) => a.action_type === "apply_refund");
  $("apply-credit").disabled = !(r.credit.amount_usd > 0) || item.actions.some((a) => a.action_type === "apply_credit");
  $("f-reply").value = item.replies.length ? "" : r.draft_response;
  const done = [...item.actions.map((a) => `${ACTIONS[a.action_type]}${a.amount_usd ? ` ${money(a.amount_usd)}` : ""} by ${a.actor} · ${when(a.created_at)}`),
    ...(item.rating ? [`Rated ${item.rating.rating === "thumbs_up" ? "a good report" : "a poor report"} by ${item.rating.actor}`] : [])];
  $("d-actions").replaceChildren(...(done.length ? done.map((t) => el("li", { text: t })) : [el("li", { class: "muted", text: "Nothing yet." })]));
  $("d-history").replaceChildren(...(item.history.length
    ? item.history.map((h) => el("li", { text: `${when(h.ts)} · order ${h.order_id} · ${h.request_text}` }))
    : [el("li", { class: "muted", text: "No other requests." })]));
}

async function loadTimeline(orderId) {
  const list = $("d-timeline");
  list.replaceChildren(el("li", { class: "muted", text: "Loading…" }));
  try {
    const data = await api(`/api/orders/${encodeURIComponent(orderId)}/events`);
    list.replaceChildren(...data.events.map((e) => el("li", { text: `${when(e.ts)} · ${step(e.event_type)}` })));
  } catch (error) {
    list.replaceChildren(el("li", { class: "muted", text: error.message }));
  }
}

async function openRequest(id) {
  const opening = !state.current || state.current.support_request_id !== id || $("drawer").hidden;
  state.current = await api(`/api/reports/${encodeURIComponent(id)}`);
  showReport(state.current);
  $("drawer").hidden = false;
  if (opening) loadTimeline(state.current.order_id);
}

async function act(path, body, done) {
  const id = state.current.support_request_id;
  try {
    await api(`/api/reports/${encodeURIComponent(id)}/${path}`, { method: "POST", body: JSON.stringify(body) });
    toast(done);
  } catch (error) {
    toast(error.message, true);
  }
  await Promise.all([openRequest(id), loadSummary(), loadList()]);
}

$("apply-refund").addEventListener("click", () => act("actions",
  { action_type: "apply_refund", amount_usd: state.current.report.refund.amount_usd }, "Refund applied"));
$("apply-credit").addEventListener("click", () => act("actions",
  { action_type: "apply_credit", amount_usd: state.current.report.credit.amount_usd }, "Credit applied"));
$("send-reply").addEventListener("click", () => act("replies", { message_text: $("f-reply").value }, "Reply sent"));
$("thumbs-up").addEventListener("click", () => act("rating", { rating: "thumbs_up" }, "Thanks for the rating"));
$("thumbs-down").addEventListener("click", () => act("rating", { rating: "thumbs_down" }, "Thanks for the rating"));
$("regenerate").addEventListener("click", () => act("regenerate", {}, "Report regenerated"));
$("close").addEventListener("click", () => { $("drawer").hidden = true; });
$("refresh").addEventListener("click", () => Promise.all([loadSummary(), loadList()]));
for (const tab of document.querySelectorAll(".tabs [data-status]")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tabs [data-status]").forEach((t) => t.classList.toggle("active", t === tab));
    state.status = tab.dataset.status;
    loadList().catch((error) => toast(error.message, true));
  });
}
Promise.all([loadSummary(), loadList()]).catch((error) => toast(error.message, true));
