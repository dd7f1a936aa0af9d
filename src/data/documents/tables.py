"""The structured tables the menus target loads from the documents' metadata (caspers-stages.md
§2.11, §2.12), as plain rows and Spark DDL schemas: `menu_data` and `inspection_data` write them,
the tests read them, the pipeline's tests build its sources from them.

Columns are the demo's, in its order, plus the canonical ids (`brand_id`, `item_id`) that tie a
menu line to the orders."""

from __future__ import annotations

from datetime import date

BRANDS_METADATA = ("brand_name STRING, cuisine STRING, pdf_filename STRING, item_name STRING, description STRING, "
                   "category STRING, price DOUBLE, calories INT, protein_g INT, fat_g INT, carbs_g INT, "
                   "allergens ARRAY<STRING>, brand_id INT, item_id INT")
INSPECTIONS = ("inspection_id STRING, location_id INT, location_name STRING, address STRING, jurisdiction STRING, "
               "inspection_date DATE, inspector_name STRING, score INT, grade STRING, violation_count INT, "
               "critical_count INT, major_count INT, minor_count INT, follow_up_status STRING, pdf_filename STRING")
VIOLATIONS = ("inspection_id STRING, location_id INT, location_name STRING, inspection_date DATE, code STRING, "
              "severity STRING, category STRING, description STRING, corrective_action STRING, deadline_days INT")


def brands_metadata(menus: dict) -> list[tuple]:
    return [(brand["brand_name"], brand["cuisine"], brand["pdf_filename"], item["name"], item["description"],
             item["category"], float(item["price"]), item["calories"], item["protein_g"], item["fat_g"],
             item["carbs_g"], list(item["allergens"]), brand["brand_id"], item["item_id"])
            for brand in menus["brands"] for item in brand["items"]]


def inspections(metadata: dict) -> list[tuple]:
    return [(r["inspection_id"], r["location_id"], r["location_name"], r["address"], r["jurisdiction"],
             date.fromisoformat(r["inspection_date"]), r["inspector_name"], r["score"], r["grade"],
             r["violation_count"], r["critical_count"], r["major_count"], r["minor_count"], r["follow_up_status"],
             r["pdf_filename"])
            for r in metadata["inspections"]]


def violations(metadata: dict) -> list[tuple]:
    return [(r["inspection_id"], r["location_id"], r["location_name"], date.fromisoformat(r["inspection_date"]),
             v["code"], v["severity"], v["category"], v["description"], v["corrective_action"], v["deadline_days"])
            for r in metadata["inspections"] for v in r["violations"]]


def write_table(spark, rows: list[tuple], schema: str, full_name: str) -> int:
    """Overwrite `full_name` (catalog.schema.table) with `rows`; returns the row count."""
    quoted = ".".join(f"`{part.replace('`', '``')}`" for part in full_name.split("."))
    spark.createDataFrame(rows, schema).write.mode("overwrite").option("overwriteSchema", "true").saveAsTable(quoted)
    return len(rows)
