"""The complaint generator (src/jobs/complaint_generator.py and complaint_delta.py): the sample, the
category and the complaint id are functions of the order id alone, identical in every process (the
original seeded with Python's salted `hash`), the weights are the original's, the Spark SQL sample is
the Python one, and a run writes each sampled delivered order's complaint exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest

from .conftest import ROOT
from .llm_script import install, rule, say
from .fake_env import add_fault, fake  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

from jobs import complaint_generator as cg  # noqa: E402
from jobs import scoring  # noqa: E402
from jobs.sampling import DeliveredOrder  # noqa: E402

IDS = [f"O{i:05d}" for i in range(200)]
PROBE = ("import json, sys; sys.path.insert(0, 'src'); from jobs import complaint_generator as cg; "
         "ids = [f'O{i:05d}' for i in range(200)]; "
         "print(json.dumps([[cg.sampled(i, 0.15), cg.category(i), cg.complaint_id(i), cg.template_text(i)] for i in ids]))")
ORIGINAL = ("import json, random; ids = [f'O{i:05d}' for i in range(200)]; "
            "print(json.dumps([random.Random(hash(i) % (2**31)).choices(['delivery_delay', 'missing_items', "
            "'food_quality', 'service_issue', 'other'], weights=[.4, .25, .2, .1, .05], k=1)[0] for i in ids]))")


def _in_process(code: str, seed: str):
    env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
    return json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                                     text=True, check=True).stdout)


def test_everything_but_the_wording_is_the_same_in_every_process():
    here = [[cg.sampled(i, 0.15), cg.category(i), cg.complaint_id(i), cg.template_text(i)] for i in IDS]
    assert _in_process(PROBE, "1") == _in_process(PROBE, "2") == here
    # the original's assignment, for contrast: two processes disagree on the category of the same orders
    assert _in_process(ORIGINAL, "1") != _in_process(ORIGINAL, "2")


def test_the_sample_and_the_categories_follow_the_rate_and_the_original_weights():
    ids = [f"X{i:06d}" for i in range(20_000)]
    assert abs(sum(cg.sampled(i, 0.15) for i in ids) / len(ids) - 0.15) < 0.01
    counts = Counter(cg.category(i) for i in ids)
    for name, weight in zip(cg.CATEGORIES, cg.WEIGHTS):
        assert abs(counts[name] / len(ids) - weight) < 0.01, (name, counts[name])
    assert not any(cg.sampled(i, 0.0) for i in ids[:500]) and all(cg.sampled(i, 1.0) for i in ids[:500])
    assert len({cg.complaint_id(i) for i in ids}) == len(ids)


def _memory(orders):
    return scoring.MemorySink(orders, key=lambda x: x.order_id, order=lambda o: (str(o.delivered_ts), o.order_id))


def test_a_run_writes_one_complaint_per_sampled_order_and_a_rerun_none():
    delivered = [DeliveredOrder(i, datetime(2024, 1, 1, 10, n % 60)) for n, i in enumerate(IDS) if cg.sampled(i, 0.3)]
    sink = _memory(delivered)
    first = scoring.run(sink, cg.template_writer, cg.SCORING, scoring.Settings(cap=1000, concurrency=4), say=print)
    assert first.scored == len(delivered) > 0 and sink.duplicates == 0
    row = sink.rows[delivered[0].order_id]
    assert (row.complaint_id, row.complaint_category, row.generated_by) == (
        cg.complaint_id(row.order_id), cg.category(row.order_id), cg.TEMPLATE)
    assert row.complaint_text == cg.template_text(row.order_id) and row.order_id in row.complaint_text
    for order in delivered:  # stamped from the order's delivery, not the run's clock
        assert timedelta(minutes=10) <= sink.rows[order.order_id].ts - order.delivered_ts <= timedelta(minutes=120)
    again = scoring.run(sink, cg.template_writer, cg.SCORING, scoring.Settings(cap=1000), say=print)
    assert again.pending == 0 and len(sink.rows) == len(delivered)


def test_the_cap_defers_and_unusable_wording_falls_back_to_the_template():
    orders = [DeliveredOrder(i, datetime(2024, 1, 1)) for i in IDS[:10]]
    sink = _memory(orders)
    summary = scoring.run(sink, lambda order_id: "   ", cg.SCORING, scoring.Settings(cap=4), say=print)
    assert summary.scored == 4 and summary.calls == 12  # three tries each, then the template
    assert {r.generated_by for r in sink.rows.values()} == {cg.TEMPLATE}

    def flaky(order_id):
        raise scoring.Transient("429")

    summary = scoring.run(sink, flaky, cg.SCORING, scoring.Settings(cap=4, attempts=2, backoff_s=0), say=print)
    assert summary.deferred == 4 and len(sink.rows) == 4  # nothing faked: pending again next run


def test_the_llm_words_the_complaint_through_the_chat_api(fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient

    from agents.common.clients import openai_client

    install(fake, rule(r"complaint about: (\w+)\. Order ID: (\S+)\.", say("Order {2}: so much {1}, again.")))
    write = cg.llm_writer(openai_client(WorkspaceClient()), "databricks-meta-llama-3-3-70b-instruct")
    text = write("ABC123")
    assert text == f"Order ABC123: so much {cg.category('ABC123')}, again."  # the prompt carried both
    row = cg.SCORING.row(DeliveredOrder("ABC123"), "now", text)
    assert row.generated_by == cg.LLM and row.complaint_text == text
    add_fault(fake, kind="serving_invocations", op="invoke", mode="429", times=1)
    with pytest.raises(scoring.Transient, match="RateLimitError"):  # retried by the engine, not the client
        write("ABC123")


def test_the_sinks_pending_queries_on_local_spark():
    from jobs import complaint_delta as cd
    from jobs.delta_io import MissingTable

    from local_workspace.spark import session as local_session, unique

    spark, prefix = local_session("complaint-sinks"), unique("complaints")
    try:
        for schema in ("lakeflow", "complaints"):
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {prefix}_{schema}")
        events = [(i, "delivered", f"2024-01-01 10:{n:02d}:00") for n, i in enumerate(IDS[:50])] + \
                 [("Z1", "order_created", "2024-01-01 09:00:00")]
        spark.createDataFrame(events, "order_id STRING, event_type STRING, ts STRING") \
            .selectExpr("order_id", "event_type", "to_timestamp(ts) AS ts").write.saveAsTable(f"{prefix}_lakeflow.all_events")
        sampled = [i for i in IDS[:50] if cg.sampled(i, 0.4)]
        done = sampled[0]
        spark.createDataFrame([(cg.complaint_id(done), done, None, "other", "x", "template")], cd.RAW_COLUMNS.replace(
            " NOT NULL", "")).write.saveAsTable(f"{prefix}_complaints.raw_complaints")
        sink = cd.ComplaintSink(spark, "unused", 0.4)
        sink.events, sink.raw = f"{prefix}_lakeflow.all_events", f"{prefix}_complaints.raw_complaints"
        assert [o.order_id for o in sink.pending(cap=100)] == sampled[:0:-1]  # the SQL sample is the Python one
        assert [o.order_id for o in sink.pending(cap=2)] == sampled[:-3:-1]  # newest delivery first, capped

        spark.createDataFrame([], cd.RESPONSE_COLUMNS.replace(" NOT NULL", "")) \
            .write.saveAsTable(f"{prefix}_complaints.complaint_responses")
        responses = cd.ResponseSink(spark, "unused")
        responses.raw, responses.responses = sink.raw, f"{prefix}_complaints.complaint_responses"
        assert [(c.complaint_id, c.order_id) for c in responses.pending(cap=10)] == [(cg.complaint_id(done), done)]
        responses.raw = f"{prefix}_complaints.nope"
        with pytest.raises(MissingTable, match="Complaint Generator"):
            responses.pending(cap=1)
    finally:
        for schema in ("lakeflow", "complaints"):
            spark.sql(f"DROP DATABASE IF EXISTS {prefix}_{schema} CASCADE")
