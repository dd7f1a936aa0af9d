"""The generated support requests and complaints hold the distributions docs/agents.md states
("Generated data"), measured on the canonical dataset: the generator's requests for the sampled
delivered orders of 45 days, the facts the support stream computes for them, and the offers of the
support policy. Pinned within the stated tolerances: the severity mix, the refund against the order's
total, the repeat contacts per customer, and the request times (the order's, not the clock's). The
lateness the stream reads (SQL, on local Spark) equals the percent rank computed here from the raw
events."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from datetime import timedelta

import pytest

from .conftest import ROOT
from .dataset import order_facts

for folder in ("src", "src/data/canonical", "src/pipelines/order_items"):
    sys.path.insert(0, str(ROOT / folder))

from agents.support import policy  # noqa: E402
from jobs import support_generator as sg  # noqa: E402
from jobs import support_stream as ss  # noqa: E402

DAYS, RATE = 45, 0.18  # the support target's SUPPORT_RATE


def _lateness(facts) -> dict[str, float]:
    """Per delivered order: the percent rank of its minutes among its kitchen's (ties share a rank)."""
    by_kitchen: dict[int, list] = {}
    for order_id, o in facts.items():
        if o.delivered:
            by_kitchen.setdefault(o.location_id, []).append((o.minutes, order_id))
    found = {}
    for rows in by_kitchen.values():
        rows.sort()
        first = {}
        for i, (minutes, _) in enumerate(rows):
            first.setdefault(minutes, i)
        found.update({order_id: first[minutes] / (len(rows) - 1) for minutes, order_id in rows})
    return found


@pytest.fixture(scope="module")
def measured():
    facts = order_facts(DAYS)
    requests = [vars(r) for order_id, o in sorted(facts.items()) if o.delivered and sg.sampled(order_id, RATE)
                for r in sg.requests_for(order_id, o.delivered)]
    cases = ss.cases(requests, requests, {k: o.total for k, o in facts.items()}, _lateness(facts))
    start = min(o.created for o in facts.values())
    return facts, requests, cases, start


def _mix(cases) -> tuple[dict, float, list]:
    resolved = [(c, policy.resolve(vars(c))) for c in cases]
    tiers = Counter(r.tier for _, r in resolved)
    share = {tier: tiers[tier] / len(resolved) for tier in ("restricted", "severe", "moderate", "minor")}
    refund = statistics.median(r.refund_usd / c.policy_limit_usd for c, r in resolved)
    return share, refund, [c.repeat_complaints_30d for c in cases]


def test_a_month_in_the_mix_of_offers_is_the_stated_one(measured):
    _, _, cases, start = measured
    steady = [c for c in cases if start + timedelta(days=31) <= c.ts < start + timedelta(days=DAYS)]
    assert len(steady) > 2000
    share, refund, repeats = _mix(steady)
    assert 0.20 <= share["severe"] <= 0.35 and 0.40 <= share["moderate"] <= 0.60
    assert 0.12 <= share["minor"] <= 0.28 and 0.02 <= share["restricted"] <= 0.07
    assert 0.40 <= refund <= 0.60  # the median refund: half the order, not 90% of it
    assert statistics.median(repeats) == 0 and 0.20 <= sum(r >= 1 for r in repeats) / len(repeats) <= 0.40
    assert sorted(repeats)[int(len(repeats) * 0.95)] <= 3  # "the 404th time" is gone


def test_the_first_day_is_like_any_other(measured):
    """The issue measured 87% severe in the first hour when requests took the generator's clock."""
    _, _, cases, start = measured
    first = [c for c in cases if c.ts < start + timedelta(days=1)]
    share, refund, repeats = _mix(first)
    assert len(first) > 50 and share["severe"] <= 0.35 and refund <= 0.60 and max(repeats) <= 2


def test_requests_sit_after_their_orders_delivery(measured):
    facts, requests, _, _ = measured
    first = [r for r in requests if r["request_attempt"] == 1]
    gaps = [(r["ts"] - facts[r["order_id"]].delivered).total_seconds() / 60 for r in first]
    assert min(gaps) >= 10 and max(gaps) <= 120
    attempts = Counter(r["request_attempt"] for r in requests)
    orders = attempts[1]
    assert abs(attempts[2] / orders - 0.13) < 0.02 and abs(attempts[3] / orders - 0.03) < 0.01  # 87/10/3


def test_the_lateness_the_stream_reads_is_the_kitchens_percent_rank(measured):
    import order_items_logic as logic
    import replay_core as rc

    from jobs.delta_io import collect, quote
    from jobs.support_delta import LATENESS

    from .dataset import shared_dataset
    from local_workspace.spark import session, unique

    facts, requests, _, _ = measured
    spark, db = session("generated-data"), unique("support")
    spark.sql(f"CREATE DATABASE {db}")
    try:
        rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + 2 * rc.DAY)
        logic.bronze_events(spark.createDataFrame(rc.records(rows, loop=0, shift=0), logic.RAW_SCHEMA)) \
            .write.saveAsTable(quote(db, "all_events"))
        two_days = order_facts(2)
        asked = sorted(k for k, o in two_days.items() if o.delivered)[::50]
        spark.createDataFrame([(k,) for k in asked], "order_id STRING").write.saveAsTable(quote(db, "requests"))
        got = {r["order_id"]: r["lateness"] for r in collect(spark, LATENESS, {"events": quote(db, "all_events"),
                                                                                "requests": quote(db, "requests")},
                                                             10 ** 6, "")}
    finally:
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
    expected = _lateness(two_days)
    assert set(got) == set(asked)
    assert all(got[k] == pytest.approx(expected[k], abs=1e-3) for k in asked), \
        [(k, got[k], expected[k]) for k in asked if abs(got[k] - expected[k]) > 1e-3][:5]
