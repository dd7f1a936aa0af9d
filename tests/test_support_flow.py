"""The support flow's logic: the policy on every edge case, the generator (stable, the original's
distribution, exactly once per order), the facts the stream computes for the policy (the original sent
none, so its defaults always applied), and the stream's exactly-once run with valid error reports."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "src"))

from agents.support import policy  # noqa: E402
from agents.support.agent import check_report, report  # noqa: E402
from jobs import scoring  # noqa: E402
from jobs import support_generator as sg  # noqa: E402
from jobs.sampling import DeliveredOrder  # noqa: E402
from jobs import support_stream as ss  # noqa: E402

T0 = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)


def case(**facts) -> dict:
    return {"support_request_id": "r1", "user_id": "user-001", "order_id": "O1", "request_type": "general_support",
            "edge_case_type": "standard", "request_text": "Please help.", **facts}


@pytest.mark.parametrize("facts, expected", [
    # (refund, credit, escalate, confidence)
    ({"edge_case_type": "abusive_language", "policy_limit_usd": 40}, (0.0, 3.0, True, "medium")),
    ({"edge_case_type": "spammy_escalation", "repeat_complaints_30d": 4, "risk_score": 0.3}, (0.0, 3.0, True, "medium")),
    ({"edge_case_type": "spammy_escalation", "repeat_complaints_30d": 4, "risk_score": 0.5}, (18.0, 5.0, False, "high")),
    ({"repeat_complaints_30d": 2, "policy_limit_usd": 40}, (36.0, 10.0, False, "high")),
    ({"risk_score": 0.8, "policy_limit_usd": 10}, (10.0, 5.0, False, "high")),  # never above the order's total
    ({"request_text": "Items were missing and it came late", "policy_limit_usd": 30}, (27.0, 7.5, False, "high")),
    ({"repeat_complaints_30d": 1, "policy_limit_usd": 30}, (15.0, 4.5, False, "high")),
    ({"request_text": "The delivery came late", "policy_limit_usd": 8}, (6.0, 3.0, False, "high")),
    ({"edge_case_type": "non_compensable_confusion", "policy_limit_usd": 30}, (0.0, 3.0, False, "medium")),
    ({"edge_case_type": "repeat_follow_up"}, (0.0, 2.0, False, "medium")),  # the defaults: limit 20, risk 0.25
    ({"policy_limit_usd": "lots", "risk_score": None}, (0.0, 2.0, False, "medium")),
])
def test_the_policy_on_each_case(facts, expected):
    got = policy.resolve(case(**facts))
    assert (got.refund_usd, got.credit_usd, got.escalate, got.confidence) == expected


def test_the_reply_names_the_offer_or_the_escalation_and_the_repeats():
    severe = case(repeat_complaints_30d=2, policy_limit_usd=40, request_text="Late again.")
    text = policy.reply(severe, policy.resolve(severe))
    assert "3rd time" in text and "$36.00 refund and a $10.00 credit" in text and '"Late again."' in text
    abusive = case(edge_case_type="abusive_language")
    assert "support lead is reviewing" in policy.reply(abusive, policy.resolve(abusive))
    answer = report(severe, {"order_details_summary": "o", "past_interactions_summary": "p"})
    assert check_report(json.dumps(answer))["refund_recommendation"]["amount_usd"] == 36.0


def test_the_generator_is_stable_and_draws_each_property_on_its_own():
    ids = [f"X{i:06d}" for i in range(20_000)]
    edges = Counter(sg.edge_case(i) for i in ids)
    for name, share in (("abusive_language", .02), ("spammy_escalation", .05), ("repeat_follow_up", .08),
                        ("non_compensable_confusion", .06), ("standard", .79)):
        assert abs(edges[name] / len(ids) - share) < 0.01, name
    repeats = Counter(sg.attempts(i) for i in ids)
    assert abs(repeats[3] / len(ids) - .03) < .005 and abs(repeats[2] / len(ids) - .10) < .01
    kinds = Counter(sg.request_type(i) for i in ids)
    assert all(abs(kinds[k] / len(ids) - .2) < .015 for k in sg.REQUEST_TYPES)
    users = Counter(sg.user_id(i) for i in ids)
    assert len(users) > 12_000 and max(users.values()) <= 8  # 20,000 customers, none writing for everyone
    flagged = {sg.user_id(i) for i in ids if sg.edge_case(i) in ("abusive_language", "spammy_escalation")}
    assert len(flagged) > 1_000  # the original's single hash put every flagged request on 7 of 25 users
    assert abs(sum(sg.sampled(i, 0.18) for i in ids) / len(ids) - 0.18) < 0.01
    three = next(i for i in ids if sg.edge_case(i) == "abusive_language")
    rows = sg.requests_for(three, T0)
    assert [r.request_attempt for r in rows] == [1, 2, 3] and len({r.support_request_id for r in rows}) == 3
    assert rows == sg.requests_for(three, T0)  # same ids and times every time
    assert all(r.edge_case_type == "abusive_language" for r in rows) and len(set(r.request_text for r in rows)) == 1


def test_requests_are_stamped_from_their_order_not_the_clock():
    for order_id in [f"X{i:06d}" for i in range(300)]:
        stamps = [r.ts for r in sg.requests_for(order_id, T0)]
        assert timedelta(minutes=10) <= stamps[0] - T0 <= timedelta(minutes=120)
        assert all(timedelta(hours=2) <= b - a <= timedelta(hours=24) for a, b in zip(stamps, stamps[1:]))
        assert [r.ts for r in sg.requests_for(order_id, T0 + timedelta(days=3))] == \
            [t + timedelta(days=3) for t in stamps]  # only the order's time moves them


def test_one_run_writes_each_sampled_orders_requests_once():
    delivered = [DeliveredOrder(f"O{i:04d}", T0 + timedelta(minutes=i)) for i in range(400)
                 if sg.sampled(f"O{i:04d}", 0.2)]
    sink = scoring.MemorySink(delivered, key=lambda x: x.order_id, order=lambda o: o.delivered_ts)

    class Rows:  # the generator's sink: pending orders by order id, rows by request id
        rows: dict = {}

        def pending(self, cap):
            done = {r.order_id for r in self.rows.values()}
            return [o for o in sink.items if o.order_id not in done][:cap]

        def merge(self, rows):
            for row in rows:
                assert row.support_request_id not in self.rows
                self.rows[row.support_request_id] = row

    target = Rows()
    first = sg.run(target, 1000, say=print)
    assert first == sum(sg.attempts(o.order_id) for o in delivered) and sg.run(target, 1000, say=print) == 0
    by_order = {o.order_id: o.delivered_ts for o in delivered}
    assert all(row.ts > by_order[row.order_id] for row in target.rows.values())


def _request(rid, user, ts, edge="standard", order="O1"):
    return {"support_request_id": rid, "user_id": user, "order_id": order, "ts": ts, "request_type": "billing",
            "request_text": "Charged twice.", "edge_case_type": edge}


def test_the_stream_computes_the_facts_the_policy_needs():
    history = [_request("a", "u1", T0 - timedelta(days=40)),  # outside the 30 days
               _request("b", "u1", T0 - timedelta(days=20), "spammy_escalation"),
               _request("c", "u1", T0 - timedelta(days=1)),
               _request("d", "u1", T0, "abusive_language", order="O2"),
               _request("e", "u1", T0 + timedelta(minutes=1)),  # later: not a repeat of d
               _request("f", "u2", T0)]
    got = {c.support_request_id: c for c in ss.cases([history[3], history[5]], history, {"O2": 31.456},
                                                     {"O2": 0.8123})}
    d, f = got["d"], got["f"]
    assert (d.repeat_complaints_30d, d.risk_score, d.policy_limit_usd) == (2, 0.81, 31.46)
    assert (f.repeat_complaints_30d, f.risk_score, f.policy_limit_usd) == (0, ss.UNKNOWN_RISK, ss.UNKNOWN_LIMIT)
    payload = json.loads(d.payload())
    assert {"repeat_complaints_30d", "risk_score", "policy_limit_usd", "edge_case_type"} <= set(payload)


def test_the_stream_reports_each_request_once_and_stores_valid_escalations_for_bad_answers():
    cases = [ss.SupportCase(f"r{i:02d}", "u1", f"O{i}", i, "billing", "Charged twice.", "standard") for i in range(20)]
    sink = scoring.MemorySink(cases, key=lambda x: x.support_request_id, order=lambda c: c.ts)

    def ask(payload):
        found = json.loads(payload)
        if found["support_request_id"].endswith("7"):
            return "Happy to help!"
        return json.dumps(report(found, {"order_details_summary": "o", "past_interactions_summary": "p"}))

    summary = scoring.run(sink, ask, ss.SCORING, scoring.Settings(cap=15, concurrency=4), say=print)
    assert summary.scored == 15 and summary.errors == 2 and len(sink.rows) == 15  # r19..r05 (r17, r07); the cap: 5 wait
    again = scoring.run(sink, ask, ss.SCORING, scoring.Settings(cap=15), say=print)
    assert again.scored == 5 and sink.duplicates == 0
    for row in sink.rows.values():
        answer = check_report(row.agent_response)  # every stored report is a SupportReport
        assert answer["escalation_flag"] == row.support_request_id.endswith("7")
        assert json.loads(row.case_payload)["support_request_id"] == row.support_request_id  # kept for regeneration
