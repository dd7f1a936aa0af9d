"""Order Items Medallion Pipeline (Lakeflow Spark Declarative Pipelines source).

Reads the replayed event files with Auto Loader into the typed bronze `all_events`, then the
silver and gold tables (caspers-stages.md §8.1). The transformations are plain functions in
order_items_logic.py (the pipeline's root folder is on the import path), tested on local Spark.
Configuration: RAW_DATA_CATALOG, RAW_DATA_SCHEMA, RAW_DATA_VOLUME.
"""

import dlt
import order_items_logic as logic

CATALOG = spark.conf.get("RAW_DATA_CATALOG")  # noqa: F821 - provided by the pipeline runtime
SCHEMA = spark.conf.get("RAW_DATA_SCHEMA")  # noqa: F821
VOLUME = spark.conf.get("RAW_DATA_VOLUME")  # noqa: F821


def _event_files():
    return (spark.readStream.format("cloudFiles")  # noqa: F821
            .option("cloudFiles.format", "json")
            .option("pathGlobFilter", logic.EVENT_FILE_GLOB)  # never the replay's temporary files
            .option("columnNameOfCorruptRecord", logic.CORRUPT_RECORD)  # a line that is not JSON
            .option("rescuedDataColumn", logic.RESCUED_DATA)  # values that do not fit the schema
            .schema(logic.FILE_SCHEMA)
            .load(f"/Volumes/{CATALOG}/{SCHEMA}/{VOLUME}")
            .select("*", "_metadata.file_path"))


@dlt.table(comment="Raw order events from the canonical replay, one row per event, typed; _rescued_data holds "
                   "what did not fit the schema.")
def all_events():
    return logic.bronze_events(_event_files().drop("file_path"))


# Every row here is a malformed line: the expectation fails on each, so the pipeline's data quality
# metrics count them, and the lines themselves are kept for a look.
@dlt.table(comment="Lines of the event files that are not JSON records (a file cut off mid-line), kept out of "
                   "all_events.")
@dlt.expect("well_formed_json_line", "raw_line IS NULL")
def quarantined_events():
    return logic.quarantined_events(_event_files().withColumnRenamed("file_path", "source_file"))


@dlt.table(comment="One row per item of each order.", partition_cols=["order_day"])
def silver_order_items():
    return logic.silver_order_items(dlt.read_stream("all_events"))


@dlt.table(comment="Order totals.")
def gold_order_header():
    return logic.gold_order_header(dlt.read_stream("silver_order_items"))


@dlt.table(comment="Units and revenue per item and day.", partition_cols=["day"])
def gold_item_sales_day():
    return logic.gold_item_sales_day(dlt.read_stream("silver_order_items"))


@dlt.table(comment="Orders and revenue per brand and day.", partition_cols=["day"])
def gold_brand_sales_day():
    return logic.gold_brand_sales_day(dlt.read_stream("silver_order_items").withWatermark("order_ts", "3 hours"))


@dlt.table(comment="Orders and revenue per location and hour.", partition_cols=["hour_ts"])
def gold_location_sales_hourly():
    return logic.gold_location_sales_hourly(
        dlt.read_stream("silver_order_items").withWatermark("order_ts", "3 hours"))
