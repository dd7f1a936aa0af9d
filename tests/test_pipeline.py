"""The Order Items transformations on a local Spark session, over two days of the generated dataset
emitted exactly as the replay writes it: documented columns and types, and revenue that reconciles
with the raw events at every layer."""

from __future__ import annotations

import json
import math
import sys

import pytest

from .conftest import ROOT
from .dataset import shared_dataset

sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
sys.path.insert(0, str(ROOT / "src" / "pipelines" / "order_items"))


@pytest.fixture(scope="module")
def spark():
    from local_workspace.spark import session as local_session

    yield local_session("order-items-tests")


@pytest.fixture(scope="module")
def raw_records():
    import replay_core as rc

    rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + 2 * rc.DAY)
    return rc.records(rows, loop=0, shift=0)


@pytest.fixture(scope="module")
def layers(spark, raw_records):
    import order_items_logic as logic

    raw = spark.createDataFrame(raw_records, logic.RAW_SCHEMA)
    bronze = logic.bronze_events(raw).cache()
    silver = logic.silver_order_items(bronze).cache()
    return {"bronze": bronze, "silver": silver, "gold_order_header": logic.gold_order_header(silver),
            "gold_item_sales_day": logic.gold_item_sales_day(silver),
            "gold_brand_sales_day": logic.gold_brand_sales_day(silver),
            "gold_location_sales_hourly": logic.gold_location_sales_hourly(silver)}


def _types(frame) -> dict[str, str]:
    return {f.name: f.dataType.simpleString() for f in frame.schema.fields}


def test_bronze_has_typed_columns(layers, raw_records):
    assert _types(layers["bronze"]) == {"event_id": "string", "event_type": "string", "ts": "timestamp",
                                        "location_id": "int", "order_id": "string", "sequence": "int",
                                        "body": "string", "_rescued_data": "string"}
    assert layers["bronze"].count() == len(raw_records)
    assert layers["bronze"].where("ts IS NULL").count() == 0


def test_silver_and_gold_columns(layers):
    assert _types(layers["silver"]) == {
        "order_id": "string", "location_id": "int", "order_ts": "timestamp", "order_day": "date", "item_id": "int",
        "menu_id": "int", "category_id": "int", "brand_id": "int", "item_name": "string", "price": "double",
        "qty": "int", "extended_price": "double"}
    assert _types(layers["gold_order_header"]) == {
        "order_id": "string", "location_id": "int", "order_day": "date", "order_revenue": "double",
        "total_qty": "bigint", "total_items": "bigint", "brands_in_order": "array<int>"}
    assert _types(layers["gold_item_sales_day"]) == {
        "item_id": "int", "menu_id": "int", "category_id": "int", "brand_id": "int", "day": "date",
        "units_sold": "bigint", "gross_revenue": "double"}
    assert _types(layers["gold_brand_sales_day"]) == {"brand_id": "int", "day": "date", "orders": "bigint",
                                                      "items_sold": "bigint", "brand_revenue": "double"}
    assert _types(layers["gold_location_sales_hourly"]) == {"location_id": "int", "hour_ts": "timestamp",
                                                            "orders": "bigint", "revenue": "double"}


def test_revenue_reconciles_with_the_raw_events(layers, raw_records):
    expected = sum(item["price"] * item["qty"] for r in raw_records if r["event_type"] == "order_created"
                   for item in json.loads(r["body"])["items"])
    orders = sum(r["event_type"] == "order_created" for r in raw_records)
    totals = {
        "silver": layers["silver"].agg({"extended_price": "sum"}).first()[0],
        "gold_order_header": layers["gold_order_header"].agg({"order_revenue": "sum"}).first()[0],
        "gold_item_sales_day": layers["gold_item_sales_day"].agg({"gross_revenue": "sum"}).first()[0],
        "gold_brand_sales_day": layers["gold_brand_sales_day"].agg({"brand_revenue": "sum"}).first()[0],
        "gold_location_sales_hourly": layers["gold_location_sales_hourly"].agg({"revenue": "sum"}).first()[0],
    }
    assert expected > 10_000
    for layer, total in totals.items():
        assert math.isclose(total, expected, rel_tol=1e-9), layer
    assert layers["gold_order_header"].count() == orders
    assert layers["silver"].select("order_id").distinct().count() == orders


def test_the_file_filter_keeps_temporary_and_foreign_files_out_of_bronze(spark, raw_records, tmp_path):
    """The bronze source's file filter on a real Spark file source: only the replay's finished
    event files are read, not its temporary files (hidden or not) nor anything else in the folder."""
    import order_items_logic as logic
    import replay_core as rc

    folder = tmp_path / "events"
    folder.mkdir()
    lines = rc.to_json_lines(raw_records[:10])
    (folder / rc.file_name((0, 60), 0)).write_bytes(lines)
    (folder / rc.temporary_name(rc.file_name((60, 120), 0))).write_bytes(rc.to_json_lines(raw_records[10:20]))
    (folder / "events-60-120-0000.json.tmp").write_bytes(rc.to_json_lines(raw_records[20:30]))  # an old-style temp
    (folder / "README.md").write_text("not events")
    frame = (spark.readStream.schema(logic.RAW_SCHEMA).option("pathGlobFilter", logic.EVENT_FILE_GLOB)
             .json(str(folder)))
    query = frame.writeStream.format("memory").queryName("filtered_events").trigger(availableNow=True).start()
    query.awaitTermination()
    ids = {row.event_id for row in spark.table("filtered_events").collect()}
    assert ids == {r["event_id"] for r in raw_records[:10]}


def test_a_truncated_line_is_quarantined_counted_and_kept_out_of_silver(spark, raw_records, tmp_path):
    """A file cut off mid-line (an interrupted copy): its last line is not JSON. It must not become an
    all-NULL event (the original's explicit schema made it one, silently); bronze keeps the good
    lines, quarantined_events holds the bad one, silver never sees its order."""
    import order_items_logic as logic
    import replay_core as rc

    folder = tmp_path / "events"
    folder.mkdir()
    whole = raw_records[:40]
    (folder / rc.file_name((0, 60), 0)).write_bytes(rc.to_json_lines(whole[:30]))
    cut = rc.to_json_lines(whole[30:])
    (folder / rc.file_name((60, 120), 0)).write_bytes(cut[: len(cut) - 25])  # the last line loses its end
    raw = (spark.read.schema(logic.FILE_SCHEMA).option("columnNameOfCorruptRecord", logic.CORRUPT_RECORD)
           .option("pathGlobFilter", logic.EVENT_FILE_GLOB).json(str(folder))
           .select("*", "_metadata.file_path").withColumnRenamed("file_path", "source_file").cache())
    bronze = logic.bronze_events(raw.drop("source_file"))
    quarantine = logic.quarantined_events(raw).collect()
    assert bronze.count() == 39 and bronze.where("event_id IS NULL OR ts IS NULL").count() == 0
    assert len(quarantine) == 1 and quarantine[0].raw_line.startswith('{"event_id"')
    assert quarantine[0].source_file.endswith(rc.file_name((60, 120), 0))
    lost = json.loads(rc.to_json_lines(whole[39:]).decode())["event_id"]
    assert lost not in {r.event_id for r in bronze.collect()}
    silver_orders = {r.order_id for r in logic.silver_order_items(bronze).collect()}
    assert silver_orders == {r["order_id"] for r in whole[:39] if r["event_type"] == "order_created"}
