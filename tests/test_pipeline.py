"""The Order Items transformations on a local Spark session, over two days of the generated dataset
emitted exactly as the replay writes it: documented columns and types, and revenue that reconciles
with the raw events at every layer. Then the pipeline itself, run once by the open-source
spark-pipelines runner over those events written as the replay's files: its tables against counts
and totals computed in plain Python from the same events."""

from __future__ import annotations

import json
import math
import sys
from collections import Counter, defaultdict

import pytest

from .conftest import ROOT
from .dataset import shared_dataset
from .sdp_runner import run_pipeline

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
    bronze = logic.bronze_events(raw.drop("source_file"), (logic.CORRUPT_RECORD,))
    quarantine = logic.quarantined_events(raw).collect()
    assert bronze.count() == 39 and bronze.where("event_id IS NULL OR ts IS NULL").count() == 0
    assert len(quarantine) == 1 and quarantine[0].raw_line.startswith('{"event_id"')
    assert quarantine[0].source_file.endswith(rc.file_name((60, 120), 0))
    lost = json.loads(rc.to_json_lines(whole[39:]).decode())["event_id"]
    assert lost not in {r.event_id for r in bronze.collect()}
    silver_orders = {r.order_id for r in logic.silver_order_items(bronze).collect()}
    assert silver_orders == {r["order_id"] for r in whole[:39] if r["event_type"] == "order_created"}


# ---- the pipeline on the spark-pipelines runner ----------------------------------------------------------
EVENT_FILES = 4


@pytest.fixture(scope="module")
def pipeline(spark, raw_records, tmp_path_factory):
    """The events as the replay's files (and what else a volume may hold), one pipeline run; returns
    (database, the events the pipeline should keep, the name of the file cut off mid-line)."""
    import replay_core as rc
    from local_workspace.spark import unique

    work = tmp_path_factory.mktemp("order-items-run")
    events = work / "events"
    events.mkdir()
    size = math.ceil(len(raw_records) / EVENT_FILES)
    chunks = [raw_records[i:i + size] for i in range(0, len(raw_records), size)]
    names = [rc.file_name((n * 60, n * 60 + 60), 0) for n in range(len(chunks))]
    for name, chunk in zip(names[:-1], chunks[:-1]):
        (events / name).write_bytes(rc.to_json_lines(chunk))
    last = rc.to_json_lines(chunks[-1])
    (events / names[-1]).write_bytes(last[: len(last) - 25])  # an interrupted copy: the last line is cut
    (events / rc.temporary_name(rc.file_name((999, 1000), 0))).write_bytes(rc.to_json_lines(raw_records[:50]))
    (events / "events-60-120-0000.json.tmp").write_bytes(rc.to_json_lines(raw_records[:50]))
    (events / "README.md").write_text("not events")
    database = unique("lakeflow")
    spark.sql(f"CREATE DATABASE {database}")  # the stage makes the schema before the pipeline runs
    run_pipeline(spark, ROOT / "src" / "pipelines" / "order_items", work, database,
                 {"EVENTS_PATH": str(events), "EVENTS_FORMAT": "json"})
    return database, raw_records[:-1], names[-1]


def _created_items(kept):
    """(order, location, ts, item) for every item of every order_created event."""
    return [(r["order_id"], r["location_id"], r["ts"], item) for r in kept if r["event_type"] == "order_created"
            for item in json.loads(r["body"])["items"]]


def _keeps_every_well_formed_event_and_quarantines_the_cut_line(spark, database, kept, cut_file):
    events = spark.table(f"{database}.all_events")
    assert events.count() == len(kept) > 15_000  # neither the temporary files nor the cut line
    per_type = {r.event_type: r["count"] for r in events.groupBy("event_type").count().collect()}
    assert per_type == dict(Counter(r["event_type"] for r in kept))
    assert events.where("ts IS NULL OR event_id IS NULL OR _rescued_data IS NOT NULL").count() == 0
    assert {r.event_id for r in events.where("sequence = 1").collect()} == {
        r["event_id"] for r in kept if r["sequence"] == 1}
    quarantined = spark.table(f"{database}.quarantined_events").collect()
    assert len(quarantined) == 1 and quarantined[0].raw_line.startswith('{"event_id"')
    assert quarantined[0].source_file.endswith(cut_file)


def _builds_silver_and_order_headers_from_the_events(spark, database, kept):
    items = _created_items(kept)
    orders = {order for order, *_ in items}
    silver = spark.table(f"{database}.silver_order_items")
    assert silver.count() == len(items) and silver.select("order_id").distinct().count() == len(orders)
    headers = {r.order_id: r for r in spark.table(f"{database}.gold_order_header").collect()}
    assert len(headers) == len(orders) > 1000
    revenue, quantity, brands = defaultdict(float), Counter(), defaultdict(set)
    for order, _, _, item in items:
        revenue[order] += item["price"] * item["qty"]
        quantity[order] += item["qty"]
        brands[order].add(item["brand_id"])
    for order in sorted(orders)[:50]:
        assert math.isclose(headers[order].order_revenue, revenue[order], rel_tol=1e-9)
        assert (headers[order].total_qty, set(headers[order].brands_in_order)) == (quantity[order], brands[order])
    assert math.isclose(sum(h.order_revenue for h in headers.values()), sum(revenue.values()), rel_tol=1e-9)


def _aggregates_per_day_brand_item_and_hour(spark, database, kept):
    brand_day, item_day, hourly = defaultdict(float), Counter(), defaultdict(float)
    for _, location, ts, item in _created_items(kept):
        brand_day[(item["brand_id"], ts[:10])] += item["price"] * item["qty"]
        item_day[(item["id"], ts[:10])] += item["qty"]
        hourly[(location, ts[:13])] += item["price"] * item["qty"]
    brands = {(r.brand_id, str(r.day)): r.brand_revenue
              for r in spark.table(f"{database}.gold_brand_sales_day").collect()}
    assert brands.keys() == brand_day.keys() and len({day for _, day in brands}) == 2
    assert all(math.isclose(brands[k], v, rel_tol=1e-9) for k, v in brand_day.items())
    units = {(r.item_id, str(r.day)): r.units_sold for r in spark.table(f"{database}.gold_item_sales_day").collect()}
    assert units == dict(item_day)
    hourly_table = spark.table(f"{database}.gold_location_sales_hourly").selectExpr(
        "location_id", "date_format(hour_ts, 'yyyy-MM-dd HH') AS hour", "revenue")  # in the session's UTC
    hours = {(r.location_id, r.hour): r.revenue for r in hourly_table.collect()}
    assert hours.keys() == hourly.keys()
    assert all(math.isclose(hours[k], v, rel_tol=1e-9) for k, v in hourly.items())


def _partitions_and_types_its_tables_as_documented(spark, database, layers):
    partitions = {"silver_order_items": ["order_day"], "gold_item_sales_day": ["day"],
                  "gold_brand_sales_day": ["day"], "gold_location_sales_hourly": ["hour_ts"],
                  "gold_order_header": []}
    for table, columns in partitions.items():
        listed = spark.catalog.listColumns(f"{database}.{table}")
        assert [c.name for c in listed if c.isPartition] == columns, table
        layer = "silver" if table == "silver_order_items" else table
        assert _types(spark.table(f"{database}.{table}")) == _types(layers[layer]), table
    assert _types(spark.table(f"{database}.all_events")) == _types(layers["bronze"])


# One test for the one run: pytest-xdist spreads a module's tests over its workers, and every worker
# running a test of the run would run the pipeline again.
def test_the_pipeline_run_by_spark_pipelines(spark, pipeline, layers):
    database, kept, cut_file = pipeline
    _keeps_every_well_formed_event_and_quarantines_the_cut_line(spark, database, kept, cut_file)
    _builds_silver_and_order_headers_from_the_events(spark, database, kept)
    _aggregates_per_day_brand_item_and_hour(spark, database, kept)
    _partitions_and_types_its_tables_as_documented(spark, database, layers)
