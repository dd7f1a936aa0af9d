"""The Order Items medallion transformations as plain DataFrame functions, so tests run them on a
local Spark session; transformations/transformation.py wires them into the pipeline.

Bronze `all_events` gets typed columns (the original left every column a string, so `sequence`
sorted lexically) and keeps the reader's rescued-data column (values that did not fit the schema);
a line that is not JSON at all (a file cut off mid-line) never becomes an all-NULL event: it goes to
`quarantined_events`, where the pipeline counts it. Silver explodes each order's items; gold
aggregates (caspers-stages.md §8.1).
"""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (ArrayType, DoubleType, IntegerType, LongType, StringType, StructField,
                               StructType)

# The replay's event files (replay_core.EVENT_FILE_GLOB); its temporary files never match.
EVENT_FILE_GLOB = "events-*.json"

RAW_SCHEMA = StructType([
    StructField("event_id", StringType()),
    StructField("event_type", StringType()),
    StructField("ts", StringType()),
    StructField("location_id", LongType()),
    StructField("order_id", StringType()),
    StructField("sequence", LongType()),
    StructField("body", StringType()),
])

# What the pipeline reads files with: the events' columns plus the reader's corrupt-record column,
# which holds a line that does not parse (Spark's and Auto Loader's PERMISSIVE mode).
CORRUPT_RECORD = "_corrupt_record"
RESCUED_DATA = "_rescued_data"
FILE_SCHEMA = StructType(RAW_SCHEMA.fields + [StructField(CORRUPT_RECORD, StringType())])

BODY_SCHEMA = StructType([
    StructField("customer_lat", DoubleType()),
    StructField("customer_lon", DoubleType()),
    StructField("customer_addr", StringType()),
    StructField("items", ArrayType(StructType([
        StructField("id", IntegerType()), StructField("category_id", IntegerType()),
        StructField("menu_id", IntegerType()), StructField("brand_id", IntegerType()),
        StructField("name", StringType()), StructField("price", DoubleType()), StructField("qty", IntegerType()),
    ]))),
])


def bronze_events(raw: DataFrame, reader_columns: tuple[str, ...] = ()) -> DataFrame:
    """Raw JSON records (RAW_SCHEMA, or FILE_SCHEMA from files) with typed columns; lines that did
    not parse are left out (see quarantined_events); `_rescued_data` is the reader's, when it has one.

    reader_columns names the reader's own columns `raw` has (CORRUPT_RECORD, RESCUED_DATA): the
    caller knows them, and a pipeline's query function must not ask the DataFrame (`.columns` is an
    analysis, which a declarative pipeline refuses while it is still building its graph)."""
    if CORRUPT_RECORD in reader_columns:
        raw = raw.where(F.col(CORRUPT_RECORD).isNull())
    rescued = F.col(RESCUED_DATA) if RESCUED_DATA in reader_columns else F.lit(None).cast("string")
    return raw.select(
        F.col("event_id"),
        F.col("event_type"),
        F.to_timestamp("ts", "yyyy-MM-dd HH:mm:ss.SSS").alias("ts"),
        F.col("location_id").cast("int").alias("location_id"),
        F.col("order_id"),
        F.col("sequence").cast("int").alias("sequence"),
        F.col("body"),
        rescued.alias(RESCUED_DATA),
    )


def quarantined_events(raw: DataFrame) -> DataFrame:
    """The lines of the event files that are not JSON records (raw_line), with their file
    (source_file, the reader's `_metadata.file_path`): kept, counted, never passed on as events.

    event_id is what the reader made of the line's id, mostly NULL; it is read because Spark
    refuses a query of JSON files that reads their corrupt-record column alone (the test could
    cache the read first, a pipeline cannot)."""
    return raw.where(F.col(CORRUPT_RECORD).isNotNull()).select(
        F.col(CORRUPT_RECORD).alias("raw_line"), F.col("source_file"), F.col("event_id"))


def silver_order_items(bronze: DataFrame) -> DataFrame:
    """One row per item of each created order."""
    created = bronze.where(F.col("event_type") == "order_created")
    parsed = created.select("order_id", "location_id", F.col("ts").alias("order_ts"),
                            F.from_json("body", BODY_SCHEMA).alias("body"))
    items = parsed.select("order_id", "location_id", "order_ts", F.explode("body.items").alias("item"))
    # The partition column last: Spark's own file tables (what spark-pipelines makes locally) fail
    # a table partitioned by a column elsewhere as corrupted metadata; Delta does not mind the order.
    return items.select(
        "order_id", "location_id", "order_ts",
        F.col("item.id").alias("item_id"),
        F.col("item.menu_id").alias("menu_id"),
        F.col("item.category_id").alias("category_id"),
        F.col("item.brand_id").alias("brand_id"),
        F.col("item.name").alias("item_name"),
        F.col("item.price").alias("price"),
        F.col("item.qty").alias("qty"),
        (F.col("item.price") * F.col("item.qty")).alias("extended_price"),
        F.to_date("order_ts").alias("order_day"),
    )


def gold_order_header(silver: DataFrame) -> DataFrame:
    return silver.groupBy("order_id", "location_id", "order_day").agg(
        F.sum("extended_price").alias("order_revenue"),
        F.sum("qty").alias("total_qty"),
        F.count("item_id").alias("total_items"),
        F.collect_set("brand_id").alias("brands_in_order"),
    )


# The gold tables partitioned by day or hour list that column last (see silver_order_items).
def gold_item_sales_day(silver: DataFrame) -> DataFrame:
    return silver.groupBy("item_id", "menu_id", "category_id", "brand_id", F.col("order_day").alias("day")).agg(
        F.sum("qty").alias("units_sold"),
        F.sum("extended_price").alias("gross_revenue"),
    ).select("item_id", "menu_id", "category_id", "brand_id", "units_sold", "gross_revenue", "day")


def gold_brand_sales_day(silver: DataFrame) -> DataFrame:
    return silver.groupBy("brand_id", F.col("order_day").alias("day")).agg(
        F.approx_count_distinct("order_id").alias("orders"),
        F.sum("qty").alias("items_sold"),
        F.sum("extended_price").alias("brand_revenue"),
    ).select("brand_id", "orders", "items_sold", "brand_revenue", "day")


def gold_location_sales_hourly(silver: DataFrame) -> DataFrame:
    return silver.groupBy("location_id", F.date_trunc("hour", "order_ts").alias("hour_ts")).agg(
        F.approx_count_distinct("order_id").alias("orders"),
        F.sum("extended_price").alias("revenue"),
    ).select("location_id", "orders", "revenue", "hour_ts")
