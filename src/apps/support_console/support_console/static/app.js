// The Support Console page: plain DOM, every value written with textContent (never as HTML); the
// helpers ($, el, api, toast, money, when, step, showIdentity, Pager, newToken) are /kit/kit.js.
"use strict";

const LIMIT = 25;
const state = { status: "pending", search: "", pager: new Pager(), current: null, replyToken: null, busy: false };
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
  const q = state.search ? `&q=${encodeURIComponent(state.search)}` : "";
  const data = await api(`/api/reports?status=${state.status}&limit=${LIMIT}${q}${state.pager.query()}`);
  const rows = data.items.map((item) => {
    const row = el("tr", { "data-request": item.support_request_id },
      el("td", {}, el("code", { text: item.support_request_id.slice(0, 8) })),
      el("td", { text: item.customer }),
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
  state.pager.show(data, LIMIT);
}

function offers(report, applied) {
  return [["refund", "apply_refund"], ["credit", "apply_credit"]]
    .filter(([kind, action]) => report[kind].amount_usd > 0 && !applied.has(action))
    .map(([kind]) => `${money(report[kind].amount_usd)} ${kind}`);
}

function fillReply() {
  const item = state.current;
  const choice = $("apply-nothing").checked ? "nothing" : "recommended";
  $("f-reply").value = item.reply_texts[choice];
}

function showReply(item) {
  const applied = new Set(item.actions.map((a) => a.action_type));
  const pending = offers(item.report, applied);
  $("apply-recommended-label").textContent = pending.length
    ? `Apply the recommended ${pending.join(" and ")} with the reply` : "Nothing left to apply: reply as drafted";
  $("d-sent").hidden = !item.replies.length;
  $("d-sent").replaceChildren(...item.replies.map((r) => el("div", {}, el("div", { text: r.message_text }),
    el("span", { class: "muted", text: `Sent by ${r.sent_by} · ${when(r.created_at)}` }))));
  $("send-reply").textContent = item.replies.length ? "Send another reply" : "Send reply";
  $("apply-recommended").checked = true;
  if (item.replies.length) $("f-reply").value = "";  // answered: a follow-up starts blank
  else fillReply();
  state.replyToken = newToken();  // a new reply: a new token; a double click reuses this one
}

function showReport(item) {
  const r = item.report;
  $("d-title").textContent = `Request ${item.support_request_id.slice(0, 8)} · ${item.customer} · order ${item.order_id}`;
  $("d-request").textContent = item.request_text;
  const limit = item.order_limit_usd === null ? "" : ` · order total ${money(item.order_limit_usd)}`;
  $("d-report").replaceChildren(
    el("p", {}, agentBadge(r), ` ${STATUS[item.status]}${item.regenerated ? " · regenerated" : ""}${limit}`),
    el("p", { text: `Refund ${money(r.refund.amount_usd)} · Credit ${money(r.credit.amount_usd)} — ${r.refund.reason}` }),
    el("p", { class: "muted", text: `Order: ${r.order_details_summary}` }),
    el("p", { class: "muted", text: `History: ${r.past_interactions_summary}` }));
  const applied = new Set(item.actions.map((a) => a.action_type));
  $("apply-refund").textContent = `Apply refund ${money(r.refund.amount_usd)}`;
  $("apply-credit").textContent = `Apply credit ${money(r.credit.amount_usd)}`;
  $("apply-refund").disabled = !(r.refund.amount_usd > 0) || applied.has("apply_refund");
  $("apply-credit").disabled = !(r.credit.amount_usd > 0) || applied.has("apply_credit");
  const done = [...item.actions.map((a) => `${ACTIONS[a.action_type]}${a.amount_usd ? ` ${money(a.amount_usd)}` : ""} by ${a.actor} · ${when(a.created_at)}`),
    ...item.regenerations.map((g) => `Report regenerated by ${g.actor}${g.operator_context ? ` (context: ${g.operator_context})` : ""} · ${when(g.created_at)}`),
    ...(item.rating ? [`Rated ${item.rating.rating === "thumbs_up" ? "a good report" : "a poor report"}${item.rating.reason_code ? ` (${item.rating.reason_code.replaceAll("_", " ")})` : ""} by ${item.rating.actor}`] : [])];
  $("d-actions").replaceChildren(...(done.length ? done.map((t) => el("li", { text: t })) : [el("li", { class: "muted", text: "Nothing yet." })]));
  $("d-history").replaceChildren(...(item.history.length
    ? item.history.map((h) => el("li", { text: `${when(h.ts)} · order ${h.order_id} · ${h.request_text}` }))
    : [el("li", { class: "muted", text: "No other requests." })]));
  showReply(item);
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

// One action at a time: every button waits for the answer (and a reply carries its token anyway).
async function act(path, body, done) {
  if (state.busy) return;
  state.busy = true;
  const buttons = document.querySelectorAll("#drawer button");
  buttons.forEach((b) => b.setAttribute("aria-busy", "true"));
  const id = state.current.support_request_id;
  try {
    const answer = await api(`/api/reports/${encodeURIComponent(id)}/${path}`, { method: "POST", body: JSON.stringify(body) });
    toast(typeof done === "function" ? done(answer) : done);
  } catch (error) {
    toast(error.message, true);
  } finally {
    state.busy = false;
    buttons.forEach((b) => b.removeAttribute("aria-busy"));
  }
  await Promise.all([openRequest(id), loadSummary(), loadList()]);
}

function sentMessage(answer) {
  const applied = Object.entries(answer.applied).map(([kind, usd]) => `${money(usd)} ${kind}`);
  return `Reply sent${applied.length ? ` · applied: ${applied.join(", ")}` : " · nothing applied"}`;
}

$("apply-refund").addEventListener("click", () => act("actions",
  { action_type: "apply_refund", amount_usd: state.current.report.refund.amount_usd }, "Refund applied"));
$("apply-credit").addEventListener("click", () => act("actions",
  { action_type: "apply_credit", amount_usd: state.current.report.credit.amount_usd }, "Credit applied"));
$("apply-recommended").addEventListener("change", fillReply);
$("apply-nothing").addEventListener("change", fillReply);
$("send-reply").addEventListener("click", () => act("replies", {
  message_text: $("f-reply").value, apply: $("apply-nothing").checked ? "nothing" : "recommended",
  reply_token: state.replyToken }, sentMessage));
const rating = (value) => ({ rating: value, reason_code: $("rating-reason").value || null,
  feedback_notes: $("rating-notes").value || null });
$("thumbs-up").addEventListener("click", () => act("rating", rating("thumbs_up"), "Thanks for the rating"));
$("thumbs-down").addEventListener("click", () => act("rating", rating("thumbs_down"), "Thanks for the rating"));
$("regenerate").addEventListener("click", () => act("regenerate",
  { operator_context: $("operator-context").value }, "Report regenerated"));
$("close").addEventListener("click", () => { $("drawer").hidden = true; });
$("refresh").addEventListener("click", () => Promise.all([loadSummary(), loadList()]));
$("prev").addEventListener("click", () => { state.pager.back(); loadList(); });
$("next").addEventListener("click", () => { state.pager.forward(); loadList(); });
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.search = $("search").value.trim();
  state.pager.reset();
  loadList().catch((error) => toast(error.message, true));
});
for (const tab of document.querySelectorAll(".tabs [data-status]")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tabs [data-status]").forEach((t) => t.classList.toggle("active", t === tab));
    state.status = tab.dataset.status;
    state.pager.reset();
    loadList().catch((error) => toast(error.message, true));
  });
}
Promise.all([showIdentity(), loadSummary(), loadList()]).catch((error) => toast(error.message, true));
