"""The Order Items medallion transformations as plain DataFrame functions, so tests run them on a
local Spark session; transformations/transformation.py wires them into the pipeline.

Bronze `all_events` gets typed columns (the original left every column a string, so `sequence`
sorted lexically); silver explodes each order's items; gold aggregates (caspers-stages.md §8.1).
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


def bronze_events(raw: DataFrame) -> DataFrame:
    """Raw JSON records (RAW_SCHEMA) with typed columns."""
    return raw.select(
        F.col("event_id"),
        F.col("event_type"),
        F.to_timestamp("ts", "yyyy-MM-dd HH:mm:ss.SSS").alias("ts"),
        F.col("location_id").cast("int").alias("location_id"),
        F.col("order_id"),
        F.col("sequence").cast("int").alias("sequence"),
        F.col("body"),
    )


def silver_order_items(bronze: DataFrame) -> DataFrame:
    """One row per item of each created order."""
    created = bronze.where(F.col("event_type") == "order_created")
    parsed = created.select("order_id", "location_id", F.col("ts").alias("order_ts"),
                            F.from_json("body", BODY_SCHEMA).alias("body"))
    items = parsed.select("order_id", "location_id", "order_ts", F.explode("body.items").alias("item"))
    return items.select(
        "order_id", "location_id", "order_ts",
        F.to_date("order_ts").alias("order_day"),
        F.col("item.id").alias("item_id"),
        F.col("item.menu_id").alias("menu_id"),
        F.col("item.category_id").alias("category_id"),
        F.col("item.brand_id").alias("brand_id"),
        F.col("item.name").alias("item_name"),
        F.col("item.price").alias("price"),
        F.col("item.qty").alias("qty"),
        (F.col("item.price") * F.col("item.qty")).alias("extended_price"),
    )


def gold_order_header(silver: DataFrame) -> DataFrame:
    return silver.groupBy("order_id", "location_id", "order_day").agg(
        F.sum("extended_price").alias("order_revenue"),
        F.sum("qty").alias("total_qty"),
        F.count("item_id").alias("total_items"),
        F.collect_set("brand_id").alias("brands_in_order"),
    )


def gold_item_sales_day(silver: DataFrame) -> DataFrame:
    return silver.groupBy("item_id", "menu_id", "category_id", "brand_id", F.col("order_day").alias("day")).agg(
        F.sum("qty").alias("units_sold"),
        F.sum("extended_price").alias("gross_revenue"),
    )


def gold_brand_sales_day(silver: DataFrame) -> DataFrame:
    return silver.groupBy("brand_id", F.col("order_day").alias("day")).agg(
        F.approx_count_distinct("order_id").alias("orders"),
        F.sum("qty").alias("items_sold"),
        F.sum("extended_price").alias("brand_revenue"),
    )


def gold_location_sales_hourly(silver: DataFrame) -> DataFrame:
    return silver.groupBy("location_id", F.date_trunc("hour", "order_ts").alias("hour_ts")).agg(
        F.approx_count_distinct("order_id").alias("orders"),
        F.sum("extended_price").alias("revenue"),
    )
