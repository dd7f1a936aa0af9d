"""Order Items Medallion Pipeline (Spark Declarative Pipelines source: `pyspark.pipelines`).

Reads the replayed event files into the typed bronze `all_events`, then the silver and gold tables
(caspers-stages.md §8.1). The same file runs on Databricks and under the open-source
`spark-pipelines` runner; the configuration says where the files are and how to read them. The
transformations are plain functions in order_items_logic.py (the pipeline's root folder is on the
import path), tested on local Spark.

Configuration:
- EVENTS_PATH: the folder of event files (on Databricks `/Volumes/<catalog>/<schema>/<volume>`).
- EVENTS_FORMAT: `cloudFiles` (Auto Loader, Databricks only: it adds `_rescued_data`) or `json`
  (Spark's own file source, anywhere).
"""

from pyspark import pipelines as dp

import order_items_logic as logic

EVENTS_PATH = spark.conf.get("EVENTS_PATH")  # noqa: F821 - `spark` is provided by the pipeline runtime
EVENTS_FORMAT = spark.conf.get("EVENTS_FORMAT")  # noqa: F821
AUTO_LOADER = EVENTS_FORMAT == "cloudFiles"
# The reader's own columns besides the events': decided here, never by asking a DataFrame.
READER_COLUMNS = (logic.CORRUPT_RECORD, logic.RESCUED_DATA) if AUTO_LOADER else (logic.CORRUPT_RECORD,)


def _event_files():
    reader = spark.readStream.format(EVENTS_FORMAT)  # noqa: F821
    if AUTO_LOADER:
        reader = (reader.option("cloudFiles.format", "json")
                  .option("rescuedDataColumn", logic.RESCUED_DATA))  # values that do not fit the schema
    return (reader.option("pathGlobFilter", logic.EVENT_FILE_GLOB)  # never the replay's temporary files
            .option("columnNameOfCorruptRecord", logic.CORRUPT_RECORD)  # a line that is not JSON
            .schema(logic.FILE_SCHEMA)
            .load(EVENTS_PATH)
            .select("*", "_metadata.file_path"))


def _counted_as_failing(query_function):
    """On Databricks every quarantined line fails an expectation, so the pipeline's data quality
    metrics count them; the open-source module has no expectations, and there the table is the count."""
    expect = getattr(dp, "expect", None)
    return expect("well_formed_json_line", "raw_line IS NULL")(query_function) if expect else query_function


@dp.table(comment="Raw order events from the canonical replay, one row per event, typed; _rescued_data holds "
                  "what did not fit the schema.")
def all_events():
    return logic.bronze_events(_event_files().drop("file_path"), READER_COLUMNS)


@dp.table(comment="Lines of the event files that are not JSON records (a file cut off mid-line), kept out of "
                  "all_events.")
@_counted_as_failing
def quarantined_events():
    return logic.quarantined_events(_event_files().withColumnRenamed("file_path", "source_file"))


@dp.table(comment="One row per item of each order.", partition_cols=["order_day"])
def silver_order_items():
    return logic.silver_order_items(spark.readStream.table("all_events"))  # noqa: F821


# The gold tables are materialized views, recomputed (or, on Databricks, refreshed incrementally)
# from silver: an aggregate over a stream would need a watermark, and one would drop late orders.
@dp.materialized_view(comment="Order totals.")
def gold_order_header():
    return logic.gold_order_header(spark.read.table("silver_order_items"))  # noqa: F821


@dp.materialized_view(comment="Units and revenue per item and day.", partition_cols=["day"])
def gold_item_sales_day():
    return logic.gold_item_sales_day(spark.read.table("silver_order_items"))  # noqa: F821


@dp.materialized_view(comment="Orders and revenue per brand and day.", partition_cols=["day"])
def gold_brand_sales_day():
    return logic.gold_brand_sales_day(spark.read.table("silver_order_items"))  # noqa: F821


@dp.materialized_view(comment="Orders and revenue per location and hour.", partition_cols=["hour_ts"])
def gold_location_sales_hourly():
    return logic.gold_location_sales_hourly(spark.read.table("silver_order_items"))  # noqa: F821
