"""The refund agent's SQL tools (src/agents/refund/sql.py) executed on a local Spark session, over
`all_events` built by the pipeline's own bronze logic from two days of the canonical dataset, and
the dimension tables: exact rows for chosen orders, computed here independently from the raw events."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import numpy as np
import pytest

from .conftest import ROOT
from .dataset import shared_dataset

for folder in ("src/data/canonical", "src/pipelines/order_items", "src"):
    sys.path.insert(0, str(ROOT / folder))

from agents.refund import sql  # noqa: E402

FMT = "%Y-%m-%d %H:%M:%S.%f"


@pytest.fixture(scope="module")
def raw():
    import replay_core as rc

    rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + 2 * rc.DAY)
    return rc.records(rows, loop=0, shift=0)


@pytest.fixture(scope="module")
def spark(raw):
    import dimensions
    import order_items_logic as logic

    from local_workspace.spark import session as local_session, unique

    session, prefix = local_session("refund-sql-tests"), unique("refund")
    local = lambda schema, name: sql.quote(f"{prefix}_{schema}", name)  # noqa: E731 - no catalog locally
    for schema in ("lakeflow", "simulator", "ai"):
        session.sql(f"CREATE DATABASE IF NOT EXISTS {prefix}_{schema}")
    logic.bronze_events(session.createDataFrame(raw, logic.RAW_SCHEMA)).write.mode("overwrite") \
        .saveAsTable(local("lakeflow", "all_events"))
    locations = dimensions.build(42)["locations"]
    session.createDataFrame(locations).write.mode("overwrite").saveAsTable(local("simulator", "locations"))
    for _, statement in sql.statements("unused", "simulator", qualify=local):
        session.sql(statement)
    session.local_qualify = local
    yield session
    for schema in ("lakeflow", "simulator", "ai"):
        session.sql(f"DROP DATABASE IF EXISTS {prefix}_{schema} CASCADE")


def _orders(raw) -> dict[str, dict]:
    names = {1: "San Francisco", 2: "Silicon Valley", 3: "Bellevue", 4: "Chicago"}
    orders: dict[str, dict] = {}
    for record in raw:
        order = orders.setdefault(record["order_id"], {"events": [], "location": names[record["location_id"]]})
        order["events"].append(record)
        ts = datetime.strptime(record["ts"], FMT)
        if record["event_type"] == "order_created":
            order["created"] = ts
        if record["event_type"] == "delivered":
            order["delivered"] = ts
    return orders


def _call(spark, function, arg):
    return [row.asDict() for row in spark.sql(sql.call("unused", function, spark.local_qualify), args={"arg": arg})
            .collect()]


def test_order_details_are_its_lifecycle_events_in_order_with_its_kitchen_and_total(spark, raw):
    """Every event but the driver's location pings (dozens per order, which crowded the delivery out
    of what a model sees), in time order as the tool's query states it, each with the order's total
    computed in SQL: price times quantity over the items of its order_created body."""
    import json

    orders = _orders(raw)
    for order_id, order in [(k, v) for k, v in orders.items() if "delivered" in v][:3]:
        rows = _call(spark, sql.ORDER_DETAILS, order_id)
        expected = sorted((e for e in order["events"] if e["event_type"] != "driver_ping"),
                          key=lambda r: (r["ts"], r["sequence"]))
        assert [(r["event_type"], r["ts"], r["sequence"], r["location"], r["body"]) for r in rows] == \
            [(e["event_type"], datetime.strptime(e["ts"], FMT), e["sequence"], order["location"], e["body"])
             for e in expected]
        created = next(e for e in order["events"] if e["event_type"] == "order_created")
        total = sum(i["price"] * i.get("qty", 1) for i in json.loads(created["body"])["items"])
        assert {r["order_total"] for r in rows} == {round(total, 2)}
        assert any(e["event_type"] == "driver_ping" for e in order["events"])  # there were pings to leave out
    assert _call(spark, sql.ORDER_DETAILS, "no-such-order") == []


def test_delivery_time_is_created_to_delivered_in_minutes(spark, raw):
    orders = _orders(raw)
    delivered = [k for k, v in orders.items() if "delivered" in v]
    pending = next(k for k, v in orders.items() if "delivered" not in v and "created" in v)
    for order_id in (delivered[0], delivered[len(delivered) // 2]):
        order = orders[order_id]
        minutes = round((order["delivered"] - order["created"]).total_seconds() / 60, 2)
        assert _call(spark, sql.DELIVERY_TIME, order_id) == [{
            "order_id": order_id, "location": order["location"], "created_at": order["created"],
            "delivered_at": order["delivered"], "duration_minutes": minutes}]
    (row,) = _call(spark, sql.DELIVERY_TIME, pending)
    assert row["delivered_at"] is None and row["duration_minutes"] is None


def test_location_timings_are_exact_percentiles_over_the_last_day_of_data(spark, raw):
    orders = _orders(raw)
    latest = max(datetime.strptime(r["ts"], FMT) for r in raw)
    for location in ("Chicago", "Silicon Valley"):
        minutes = [round((o["delivered"] - o["created"]).total_seconds() / 60, 2) for o in orders.values()
                   if o["location"] == location and "delivered" in o and "created" in o
                   and o["delivered"] >= latest - timedelta(days=1)]
        expected = {"location": location, "orders": len(minutes),
                    **{f"p{p}": round(float(np.percentile(minutes, p)), 2) for p in (50, 75, 99)}}
        (row,) = _call(spark, sql.LOCATION_TIMINGS, location)
        assert {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()} == expected
    assert _call(spark, sql.LOCATION_TIMINGS, "Atlantis") == []


def test_statements_quote_the_catalog_and_take_the_simulator_schema():
    created = dict(sql.statements("my`cat", "sim-2"))
    assert list(created) == [sql.ORDER_DETAILS, sql.DELIVERY_TIME, sql.PERCENTILES_VIEW, sql.LOCATION_TIMINGS]
    assert "`my``cat`.`ai`.`refund_order_details`(oid STRING" in created[sql.ORDER_DETAILS]
    assert "`my``cat`.`sim-2`.`locations`" in created[sql.DELIVERY_TIME] and "simulator" not in created[sql.DELIVERY_TIME]
    assert sql.call("c", sql.LOCATION_TIMINGS) == "SELECT * FROM `c`.`ai`.`refund_location_timings`(:arg)"
