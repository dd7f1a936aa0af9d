"""The refund recommender stream (src/jobs/refund_stream.py): every delivered order scored exactly
once across runs, caps, crashes and retries; transient failures backed off and deferred; invalid
answers stored as errors; bounded concurrency; the endpoint asker against the stand-in; the Delta
sink's pending-orders query on local Spark."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time

import pytest

from .conftest import ROOT
from . import llm_script as script
from .fake_env import add_fault, configure, fake  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

from jobs import refund_stream as rs  # noqa: E402

GOOD = json.dumps({"refund_usd": 0, "refund_class": "none", "reason": "on time"})


def orders(n: int) -> list[rs.Order]:
    return [rs.Order(f"o{i:03d}", f"2024-01-01 00:{i % 60:02d}", f"2024-01-01 01:{i % 60:02d}:{i // 60:02d}")
            for i in range(n)]


def quiet(**settings) -> dict:
    return {"settings": rs.Settings(**settings), "sleep": lambda s: None, "say": lambda text: None}


def test_every_order_is_scored_once_across_capped_runs():
    sink = rs.MemorySink(orders(30))
    asked = []
    for run in range(3):
        summary = rs.run(sink, lambda oid: asked.append(oid) or GOOD, **quiet(cap=10, concurrency=4))
        assert (summary.pending, summary.scored, summary.deferred) == (10, 10, 0)
    assert sorted(asked) == sorted(sink.rows) == [f"o{i:03d}" for i in range(30)]  # each asked once
    assert rs.run(sink, lambda oid: pytest.fail("nothing is left to ask"), **quiet()).pending == 0


def test_a_crash_mid_batch_loses_nothing_and_duplicates_nothing():
    sink = rs.MemorySink(orders(20))
    calls = []

    def dying(order_id):
        calls.append(order_id)
        if len(calls) == 13:
            raise SystemExit("the job's cluster went away")
        return GOOD

    with pytest.raises(SystemExit):
        rs.run(sink, dying, **quiet(concurrency=1, chunk=5))
    assert len(sink.rows) == 10  # two chunks were merged before the crash
    summary = rs.run(sink, lambda oid: calls.append(oid) or GOOD, **quiet(concurrency=1, chunk=5))
    assert summary.scored == 10 and sorted(sink.rows) == [f"o{i:03d}" for i in range(20)] and sink.duplicates == 0
    assert len(calls) == 13 + 10  # answered but not merged (o009, o008) and the one in flight are asked again
    assert sorted(o for o in set(calls) if calls.count(o) == 2) == ["o007", "o008", "o009"]  # newest first


def test_the_newest_orders_are_scored_first_and_a_spent_budget_leaves_the_rest_waiting():
    """A backlog (the replay's catch-up) never holds back what arrived since the last run: pending is
    newest first, and once the run's time budget is spent nothing more is started (the rest waits,
    counted, and is pending next run)."""
    sink = rs.MemorySink(orders(30))
    clock = iter(range(100))  # one "second" per look at the clock: the budget runs out after a few starts
    asked = []
    summary = rs.run(sink, lambda oid: asked.append(oid) or GOOD, clock=lambda: next(clock),
                     **quiet(concurrency=1, budget_s=5.5))
    assert asked == [f"o{i:03d}" for i in (29, 28, 27, 26, 25)]  # newest delivery first
    assert (summary.pending, summary.scored, summary.waiting, summary.deferred) == (30, 5, 25, 0)
    assert "25 not started (time budget spent)" in summary.line()
    assert sorted(sink.rows) == sorted(asked)
    rest = rs.run(sink, lambda oid: asked.append(oid) or GOOD, **quiet())
    assert (rest.pending, rest.scored, rest.waiting) == (25, 25, 0) and len(asked) == 30 == len(set(asked))


def test_in_rounds_what_arrives_during_a_run_is_scored_in_that_run_before_the_backlog():
    """A long run (a backlog, a slow endpoint) lists the newest pending again after each round, so an
    order delivered while it runs waits about one round, not until the next run."""
    sink = rs.MemorySink(orders(10))
    arrivals = [rs.Order(f"n{i}", "2024-01-01 02:00", f"2024-01-01 02:00:0{i}") for i in range(3)]
    asked = []

    def ask(order_id):
        asked.append(order_id)
        if len(asked) == 2:  # three orders are delivered while the first round is scored
            sink.delivered.extend(arrivals)
        return GOOD

    summary = rs.run(sink, ask, **quiet(concurrency=1, round_size=4, cap=9))
    assert asked == ["o009", "o008", "o007", "o006", "n2", "n1", "n0", "o005", "o004"]
    assert (summary.pending, summary.scored, summary.waiting) == (9, 9, 0) and sink.duplicates == 0
    # the same arrivals without rounds: listed once at the start, they wait for the next run
    sink, asked = rs.MemorySink(orders(10)), []
    rs.run(sink, ask, **quiet(concurrency=1, cap=9))
    assert "n2" not in asked[:9] and asked[:4] == ["o009", "o008", "o007", "o006"]


def test_in_rounds_a_deferred_order_is_not_asked_again_in_the_same_run():
    sink = rs.MemorySink(orders(6))
    calls = []

    def failing_newest(order_id):
        calls.append(order_id)
        if order_id == "o005":
            raise rs.Transient("503 Service Unavailable")
        return GOOD

    summary = rs.run(sink, failing_newest, **quiet(concurrency=1, round_size=2, attempts=3))
    assert calls.count("o005") == 3  # its attempts, in the first round only
    assert (summary.scored, summary.deferred) == (5, 1) and "o005" not in sink.rows
    assert summary.pending == 6  # each order listed for scoring once


def test_in_rounds_a_spent_budget_starts_no_new_round():
    sink = rs.MemorySink(orders(30))
    clock = iter(range(100))
    summary = rs.run(sink, lambda oid: GOOD, clock=lambda: next(clock),
                     **quiet(concurrency=1, round_size=4, budget_s=6.5))
    assert summary.scored < 8 and summary.pending <= 8 and len(sink.rows) == summary.scored
    assert rs.run(sink, lambda oid: GOOD, **quiet()).scored == 30 - summary.scored


def test_transient_failures_back_off_then_pass_or_wait_for_the_next_run():
    sink = rs.MemorySink(orders(4))
    failures, slept = {"o000": 2, "o001": 99}, []

    def flaky(order_id):
        if failures.get(order_id, 0) > 0:
            failures[order_id] -= 1
            raise rs.Transient("429 Too Many Requests")
        return GOOD

    summary = rs.run(sink, flaky, settings=rs.Settings(concurrency=1, attempts=4, backoff_s=1, max_backoff_s=3),
                     sleep=slept.append, say=lambda text: None, rng=__import__("random").Random(0))
    assert (summary.scored, summary.deferred, summary.retries) == (3, 1, 2 + 3)
    assert "o001" not in sink.rows and summary.problems == ["o001: 429 Too Many Requests"]
    assert all(0.5 <= s <= 4.5 for s in slept) and slept[1] > slept[0]  # exponential, with jitter, capped
    failures["o001"] = 0
    assert rs.run(sink, flaky, **quiet()).scored == 1 and len(sink.rows) == 4  # deferred, not lost


def test_an_answer_that_is_never_valid_is_stored_as_an_error():
    sink = rs.MemorySink(orders(2))
    answers = iter(["not json", '{"refund_usd": 1}', json.dumps({"refund_usd": 2, "refund_class": "some", "reason": "x"}),
                    GOOD])
    summary = rs.run(sink, lambda oid: next(answers), **quiet(concurrency=1))
    assert (summary.scored, summary.errors) == (2, 1)
    stored = json.loads(sink.rows["o001"].agent_response)  # the newest, asked first
    assert stored["refund_class"] == "error" and "must be one of none, partial, full, got 'some'" in stored["reason"]
    assert json.loads(sink.rows["o000"].agent_response)["refund_class"] == "none"


def test_calls_run_concurrently_but_never_more_than_the_setting():
    sink, active, peak, lock = rs.MemorySink(orders(40)), [0], [0], threading.Lock()

    def slow(order_id):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return GOOD

    rs.run(sink, slow, **quiet(concurrency=6))
    assert peak[0] == 6 and len(sink.rows) == 40


def test_the_endpoint_asker_against_the_stand_in(fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient

    sys.path.insert(0, str(ROOT / "src"))
    from agents.common.clients import openai_client

    answer = {"refund_usd": 4.5, "refund_class": "partial", "reason": "scripted for {1}"}
    configure(fake, scripted_agents={"cat_refund_agent": [script.rule(r"^Order id: (\S+)$", script.say(answer))]})
    ask = rs.endpoint_asker(openai_client(WorkspaceClient()), "cat_refund_agent")
    assert rs.check(ask("o001")) == {**answer, "reason": "scripted for o001"}  # asked `Order id: o001`
    add_fault(fake, kind="serving_invocations", op="invoke", mode="429", times=1)
    with pytest.raises(rs.Transient, match="RateLimitError"):
        ask("o002")
    add_fault(fake, kind="serving_invocations", op="invoke", mode="slow", seconds=1, times=1)
    with pytest.raises(rs.Transient, match="APITimeoutError"):  # the call's own timeout
        rs.endpoint_asker(openai_client(WorkspaceClient()), "cat_refund_agent", timeout_s=0.2)("o004")
    add_fault(fake, kind="serving_invocations", op="invoke", mode="timeout", seconds=0.1, times=1)
    with pytest.raises(rs.Transient, match="504"):  # the gateway's
        ask("o005")
    with pytest.raises(rs.Transient, match="endpoint nope: 404"):
        rs.endpoint_asker(openai_client(WorkspaceClient()), "nope")("o003")


def test_the_delta_sinks_pending_query_on_local_spark():
    from jobs import delta_io, refund_delta
    from jobs.local_delta import LocalTables

    from local_workspace.spark import session as local_session, unique

    spark, prefix = local_session("refund-sink"), unique("sink")
    # the events: the pipeline's table, an ordinary Spark table here; the sink: a local Delta table
    events_table, table = f"{prefix}_lakeflow.all_events", delta_io.quote(prefix, "recommender", "refund_recommendations")
    try:
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {prefix}_lakeflow")
        body = '{"items": [{"price": 12.5, "qty": 2}, {"price": 3.99, "qty": 1}]}'  # a total of 28.99
        events = [("a", "order_created", "2024-01-01 10:00:00", body), ("a", "delivered", "2024-01-01 10:40:00", None),
                  ("b", "order_created", "2024-01-01 10:05:00", '{"items": []}'),
                  ("b", "delivered", "2024-01-01 10:30:00", None),
                  ("c", "order_created", "2024-01-01 10:06:00", body), ("d", "order_created", "2024-01-01 09:00:00", body),
                  ("d", "delivered", "2024-01-01 09:20:00", None)]
        spark.createDataFrame(events, "order_id STRING, event_type STRING, ts STRING, body STRING") \
            .selectExpr("order_id", "event_type", "to_timestamp(ts) AS ts", "body").write.saveAsTable(events_table)
        before = "order_id STRING, ts TIMESTAMP, order_ts TIMESTAMP, agent_response STRING"  # before the total's column
        delta_io.create_table(spark, table, before, cdf=True)
        delta_io.insert_new(spark, table, [("d", None, None, GOOD)], before, "order_id")
        for _ in range(2):  # the column added once, then found there (what ensure() does after creating)
            delta_io.add_column(spark, table, refund_delta.TOTAL_COLUMN)
        assert LocalTables.of(spark).snapshot(table).column_names[-1] == "order_total_usd"
        sink = refund_delta.DeltaSink(spark, "unused")
        sink.table, sink.events = table, events_table
        pending = sink.pending(cap=10)
        assert [(o.order_id, str(o.order_ts), str(o.delivered_ts), o.order_total_usd) for o in pending] == [
            ("a", "2024-01-01 10:00:00", "2024-01-01 10:40:00", 28.99),
            ("b", "2024-01-01 10:05:00", "2024-01-01 10:30:00", 0.0)]
        assert [o.order_id for o in sink.pending(cap=1)] == ["a"]  # newest delivery first, the cap applied
        sink.events = f"{prefix}_lakeflow.no_such_events"
        with pytest.raises(refund_delta.MissingTable, match="pipeline of stage lakeflow"):
            sink.pending(cap=1)
    finally:
        spark.sql(f"DROP DATABASE IF EXISTS {prefix}_lakeflow CASCADE")
        shutil.rmtree(LocalTables.of(spark).location(table).parents[1], ignore_errors=True)
