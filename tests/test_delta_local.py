"""The streams' Delta sinks on the local Delta layer (src/jobs/local_delta.py, through delta_io): the
refund, complaint and support sinks' own ensure() and merge() on a local pyspark session without Delta,
so delta-rs runs their MERGE and Change Data Feed; Spark reads the current snapshot. Every expected row
is one this test wrote."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "src"))

from jobs import complaint_delta, delta_io, refund_delta, support_delta  # noqa: E402
from jobs.local_delta import ChangeFeedUnavailable, LocalTables, jvm_loads, parse, spark_has_delta  # noqa: E402

T0, T1 = datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc), datetime(2024, 1, 1, 11, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def spark():
    from local_workspace.spark import session

    return session("delta-local")


@pytest.fixture
def catalog(spark):
    """A catalog name of this test's own; its local folder removed afterwards."""
    from local_workspace.spark import unique

    name = unique("Cat")
    yield name
    shutil.rmtree(LocalTables.of(spark).root / name.lower(), ignore_errors=True)


def rows_of(table, *columns):
    return sorted(tuple(row[c] for c in columns) for row in table.to_pylist())


def feed(local, name, start=0, *columns):
    return rows_of(local.changes(name, start), *columns, "_change_type", "_commit_version")


# the engine and the names -------------------------------------------------------------------------

def test_the_engine_is_told_by_the_session_never_by_a_setting(spark):
    assert not spark_has_delta(spark)  # local pyspark: its JVM cannot load delta-spark's DeltaTable
    assert jvm_loads(spark._jvm, "org.apache.spark.sql.SparkSession")  # the same question answers yes too

    class Workspace:  # a session without a JVM in this process (Spark Connect, serverless): Delta's path
        pass

    class Connect:
        @property
        def _jvm(self):
            raise AttributeError("JVM_ATTRIBUTE_NOT_SUPPORTED")

    assert spark_has_delta(Workspace()) and spark_has_delta(Connect())


def test_three_level_names_map_onto_one_folder(spark):
    local = LocalTables.of(spark)
    warehouse = spark.conf.get("spark.sql.warehouse.dir").removeprefix("file:")
    assert local.root == Path(warehouse) / "catalogs"
    expected = local.root / "my_cat" / "recommender" / "refund_recommendations"
    assert local.location(delta_io.quote("My_Cat", "recommender", "refund_recommendations")) == expected
    assert local.location("my_cat.Recommender.refund_recommendations") == expected  # names compare case-blind
    assert parse("`a.b`.`s`.`t``x`") == ("a.b", "s", "t`x")
    for bad in ("recommender.refund_recommendations", "a.b.c.d", "`..`.s.t", "c.`x/y`.t"):
        with pytest.raises(ValueError):
            local.location(bad)


# refunds: the whole stream on the local layer ------------------------------------------------------

def test_the_refund_stream_merges_each_order_once_and_the_feed_has_exactly_its_rows(spark, catalog):
    from jobs import refund_stream as rs
    from local_workspace.spark import unique

    db = unique("lakeflow")
    spark.sql(f"CREATE DATABASE {db}")
    try:
        body = '{"items": [{"price": 12.5, "qty": 2}, {"price": 3.99, "qty": 1}]}'  # a total of 28.99
        events = [("a", "order_created", "2024-01-01 10:00:00", body), ("a", "delivered", "2024-01-01 10:40:00", None),
                  ("b", "order_created", "2024-01-01 10:05:00", '{"items": []}'),
                  ("b", "delivered", "2024-01-01 10:30:00", None), ("c", "order_created", "2024-01-01 10:06:00", body)]
        spark.createDataFrame(events, "order_id STRING, event_type STRING, ts STRING, body STRING") \
            .selectExpr("order_id", "event_type", "to_timestamp(ts) AS ts", "body").write.saveAsTable(f"{db}.all_events")
        sink = refund_delta.DeltaSink(spark, catalog)
        sink.events = f"{db}.all_events"  # the pipeline's table, an ordinary Spark table here
        local = LocalTables.of(spark)
        sink.ensure()
        sink.ensure()  # a rerun of the job's first step: nothing new
        assert local.version(sink.table) == 0
        assert local.table(sink.table).metadata().configuration == {"delta.enableChangeDataFeed": "true"}
        assert [(f.name, f.nullable) for f in local.snapshot(sink.table).schema][:2] == [("order_id", False), ("ts", True)]

        answers = {"a": json.dumps({"refund_usd": 5.0, "refund_class": "partial", "reason": "late"}),
                   "b": json.dumps({"refund_usd": 0, "refund_class": "none", "reason": "on time"})}
        summary = rs.run(sink, answers.__getitem__, rs.Settings(concurrency=1), now=lambda: T0,
                         sleep=lambda s: None, say=lambda text: None)
        assert (summary.pending, summary.scored) == (2, 2)
        written = [("a", answers["a"], 28.99), ("b", answers["b"], 0.0)]
        assert rows_of(local.snapshot(sink.table), "order_id", "agent_response", "order_total_usd") == written
        assert local.version(sink.table) == 1

        again = rs.run(sink, lambda oid: pytest.fail(f"{oid} was scored already"), now=lambda: T1,
                       sleep=lambda s: None, say=lambda text: None)
        assert again.pending == 0  # Spark's anti-join read the merged snapshot
        sink.merge([rs.Recommendation("a", T1, None, "a second answer", 1.0),  # an existing key: untouched
                    rs.Recommendation("c", T1, None, answers["b"], 28.99)])  # a new one: inserted
        sink.merge([rs.Recommendation("a", T1, None, "a third answer", 1.0)])  # inserts nothing: no version
        assert local.version(sink.table) == 2
        assert rows_of(local.snapshot(sink.table), "order_id", "agent_response", "order_total_usd") == \
            written + [("c", answers["b"], 28.99)]
        assert feed(local, sink.table, 0, "order_id", "agent_response") == [
            ("a", answers["a"], "insert", 1), ("b", answers["b"], "insert", 1), ("c", answers["b"], "insert", 2)]
        assert {row["ts"] for row in local.changes(sink.table, 2).to_pylist()} == {T1}
    finally:
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")


def test_a_refund_table_made_before_the_total_gets_the_column_once(spark, catalog):
    local = LocalTables.of(spark)
    table = delta_io.quote(catalog, refund_delta.SCHEMA, refund_delta.TABLE)
    delta_io.create_table(spark, table, refund_delta.COLUMNS.replace(", " + refund_delta.TOTAL_COLUMN, ""), cdf=True)
    delta_io.insert_new(spark, table, [("old", T0, T0, "{}")], "order_id STRING, ts TIMESTAMP, order_ts TIMESTAMP, "
                        "agent_response STRING", "order_id")
    sink = refund_delta.DeltaSink(spark, catalog)
    sink.ensure()
    assert local.version(table) == 2 and local.snapshot(table).column_names[-1] == "order_total_usd"
    sink.ensure()
    assert local.version(table) == 2  # found there: no commit
    sink.merge([refund_delta.Recommendation("new", T1, T0, "{}", 9.5)])
    assert rows_of(local.snapshot(table), "order_id", "order_total_usd") == [("new", 9.5), ("old", None)]


def test_spark_reads_the_current_snapshot_not_the_files_in_the_folder(spark, catalog):
    local = LocalTables.of(spark)
    sink = refund_delta.DeltaSink(spark, catalog)
    sink.ensure()
    sink.merge([refund_delta.Recommendation(o, T0, T0, "{}", 1.0) for o in ("a", "b", "c")])
    table = local.table(sink.table)
    table.delete("order_id = 'b'")  # what another writer may do: Delta rewrites files, the old ones stay
    table.update({"agent_response": "'fixed'"}, predicate="order_id = 'a'")
    in_folder = [row["order_id"] for file in local.location(sink.table).glob("*.parquet")
                 for row in pq.read_table(file).to_pylist()]
    assert sorted(set(in_folder)) == ["a", "b", "c"] and len(in_folder) > 3  # old versions' files included
    rows = delta_io.collect(spark, "SELECT order_id, agent_response FROM IDENTIFIER(:table) ORDER BY order_id",
                            {"table": sink.table}, 10, "no hint")
    assert [tuple(r) for r in rows] == [("a", "fixed"), ("c", "{}")]
    assert ("b", "delete", 2) in feed(local, sink.table, 2, "order_id")


def test_a_key_the_table_says_is_not_null_is_refused_and_nothing_is_written(spark, catalog):
    local = LocalTables.of(spark)
    sink = refund_delta.DeltaSink(spark, catalog)
    sink.ensure()
    with pytest.raises(Exception, match="(?i)invalid|null"):
        sink.merge([refund_delta.Recommendation(None, T0, T0, "{}", 1.0)])
    assert local.version(sink.table) == 0 and local.snapshot(sink.table).num_rows == 0


def test_a_query_naming_a_table_that_is_not_there_says_where_it_comes_from(spark, catalog):
    sink = refund_delta.DeltaSink(spark, catalog)  # never ensured: no table, local or Spark's
    with pytest.raises(delta_io.MissingTable, match="pipeline of stage lakeflow"):
        sink.pending(cap=1)


# complaints -----------------------------------------------------------------------------------------

def test_the_complaint_sinks_insert_new_keys_and_only_the_responses_have_a_feed(spark, catalog):
    from jobs.complaint_generator import Complaint
    from jobs.complaint_stream import Response

    local = LocalTables.of(spark)
    raw, responses = complaint_delta.ComplaintSink(spark, catalog, 0.5), complaint_delta.ResponseSink(spark, catalog)
    raw.ensure()
    responses.ensure()
    assert "delta.enableChangeDataFeed" not in local.table(raw.raw).metadata().configuration
    raw.merge([Complaint("c1", "o1", T0, "delay", "late", "template"), Complaint("c2", "o2", T0, "other", "x", "llm")])
    raw.merge([Complaint("c9", "o1", T1, "delay", "a second complaint for o1", "llm")])  # key order_id: not inserted
    assert rows_of(local.snapshot(raw.raw), "complaint_id", "order_id") == [("c1", "o1"), ("c2", "o2")]
    assert local.version(raw.raw) == 1
    with pytest.raises(ChangeFeedUnavailable, match="it is not on"):
        local.changes(raw.raw)

    assert [(c.complaint_id, c.order_id) for c in responses.pending(cap=10)] == [("c2", "o2"), ("c1", "o1")]  # newest first
    responses.merge([Response("c1", "o1", T1, '{"decision": "credit"}')])
    responses.merge([Response("c1", "o1", T1, "again"), Response("c2", "o2", T1, '{"decision": "escalate"}')])
    assert [c.complaint_id for c in responses.pending(cap=10)] == []
    assert feed(local, responses.responses, 0, "complaint_id", "agent_response") == [
        ("c1", '{"decision": "credit"}', "insert", 1), ("c2", '{"decision": "escalate"}', "insert", 2)]


def test_a_responses_table_made_without_the_feed_has_it_from_ensure_on(spark, catalog):
    from jobs.complaint_stream import Response

    local = LocalTables.of(spark)
    sink = complaint_delta.ResponseSink(spark, catalog)
    delta_io.create_table(spark, sink.responses, complaint_delta.RESPONSE_COLUMNS, cdf=False)  # an older version's
    sink.merge([Response("before", "o1", T0, "{}")])  # version 1, no feed
    sink.ensure()  # version 2: the feed on
    sink.ensure()
    sink.merge([Response("after", "o2", T1, "{}")])  # version 3
    assert local.version(sink.responses) == 3
    with pytest.raises(ChangeFeedUnavailable, match="from version 0; it is on from version 2"):
        local.changes(sink.responses, 0)
    assert feed(local, sink.responses, 2, "complaint_id") == [("after", "insert", 3)]


# support --------------------------------------------------------------------------------------------

def test_the_support_sinks_insert_by_request_id_and_the_reports_feed_has_exactly_its_rows(spark, catalog):
    from jobs.support_generator import SupportRequest
    from jobs.support_stream import Report

    local = LocalTables.of(spark)
    requests, reports = support_delta.RequestSink(spark, catalog, 0.5), support_delta.ReportSink(spark, catalog)
    requests.ensure()
    reports.ensure()
    first = [SupportRequest("r1", "u1", "o1", T0, "refund", "cold food", "none", 1),
             SupportRequest("r2", "u1", "o1", T1, "refund", "still cold", "repeat", 2)]
    requests.merge(first)
    requests.merge([SupportRequest("r1", "u9", "o9", T1, "other", "a rewrite", "none", 1)])  # r1 stays as it was
    assert rows_of(local.snapshot(requests.requests), "support_request_id", "user_id", "request_attempt") == [
        ("r1", "u1", 1), ("r2", "u1", 2)]
    assert local.version(requests.requests) == 1

    reports.merge([Report("r1", "u1", "o1", "cold food", T1, '{"offer": "credit"}', '{"case": 1}')])
    reports.merge([Report("r1", "u1", "o1", "cold food", T1, "again", "")])  # nothing inserted, no version
    assert local.version(reports.reports) == 1
    assert feed(local, reports.reports, 0, "support_request_id", "agent_response", "case_payload") == [
        ("r1", '{"offer": "credit"}', '{"case": 1}', "insert", 1)]


def test_without_deltalake_the_error_says_how_to_get_it(spark, catalog, monkeypatch):
    monkeypatch.setitem(sys.modules, "deltalake", None)  # as if it were not installed: its import fails
    with pytest.raises(RuntimeError, match=r"need the `deltalake` package.*pip install -r requirements-dev.lock"):
        refund_delta.DeltaSink(spark, catalog).ensure()
