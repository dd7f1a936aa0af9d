"""Menu Document Processing Pipeline (Spark Declarative Pipelines source: `pyspark.pipelines`, batch).

Materialized views over the menu and inspection metadata tables and the PDFs in their volumes
(caspers-stages.md §8.2, plus the parsed documents). The same file runs on Databricks and under the
open-source `spark-pipelines` runner; the configuration says where the inputs are and which parser
turns a PDF into text. The transformations are plain functions in menu_documents_logic.py (the
pipeline's root folder is on the import path), tested on local Spark.

Configuration (the defaults are Databricks', which the stage relies on):
- MENU_CATALOG: the catalog of the metadata tables.
- MENU_SCHEMA, FOOD_SAFETY_SCHEMA: their schemas (`menu_documents`, `food_safety`).
- DOCUMENTS_ROOT: the folder holding `<schema>/<volume>/*.pdf` (`/Volumes/<catalog>`).
- DOCUMENT_PARSER: `ai_parse_document` (Databricks only) or `pypdf` (anywhere; Python workers).
"""

from pyspark import pipelines as dp

import menu_documents_logic as logic
from pyspark import cloudpickle

# The parse UDF ships the logic module's code with it: a Python worker of the compute then needs no
# copy of the pipeline's root folder on its own import path (the local workspace's workers have none).
cloudpickle.register_pickle_by_value(logic)

CATALOG = spark.conf.get("MENU_CATALOG")  # noqa: F821 - `spark` is provided by the pipeline runtime
MENU_SCHEMA = spark.conf.get("MENU_SCHEMA", "menu_documents")  # noqa: F821
FOOD_SAFETY_SCHEMA = spark.conf.get("FOOD_SAFETY_SCHEMA", "food_safety")  # noqa: F821
DOCUMENTS_ROOT = spark.conf.get("DOCUMENTS_ROOT", f"/Volumes/{CATALOG}")  # noqa: F821
PARSERS = {"ai_parse_document": None, "pypdf": logic.pdf_text}  # None: document_text's ai_parse_document
PARSER = spark.conf.get("DOCUMENT_PARSER", "ai_parse_document")  # noqa: F821
if PARSER not in PARSERS:
    raise ValueError(f"DOCUMENT_PARSER must be one of {sorted(PARSERS)}, got {PARSER!r}")


def _pdfs(schema, volume):
    return (spark.read.format("binaryFile").option("pathGlobFilter", "*.pdf")  # noqa: F821
            .load(f"{DOCUMENTS_ROOT}/{schema}/{volume}"))


def _table(schema, name):
    return spark.read.table(f"{CATALOG}.{schema}.{name}")  # noqa: F821


@dp.materialized_view(comment="Menu PDFs parsed to text (ai_parse_document).", table_properties={"quality": "bronze"})
@logic.expectations(drop=logic.DOCUMENT_DROP)
def bronze_menu_documents():
    return logic.document_text(_pdfs(MENU_SCHEMA, "menus"), PARSERS[PARSER])


@dp.materialized_view(comment="Inspection report PDFs parsed to text (ai_parse_document).",
                      table_properties={"quality": "bronze"})
@logic.expectations(drop=logic.DOCUMENT_DROP)
def bronze_inspection_documents():
    return logic.document_text(_pdfs(FOOD_SAFETY_SCHEMA, "reports"), PARSERS[PARSER])


@dp.materialized_view(comment="Menu items from the menu metadata.", table_properties={"quality": "bronze"})
@logic.expectations(drop=logic.MENU_DROP, warn=logic.MENU_WARN)
def bronze_menu_raw():
    return _table(MENU_SCHEMA, "brands_metadata")


@dp.materialized_view(comment="Inspections from the inspection metadata.", table_properties={"quality": "bronze"})
@logic.expectations(drop=logic.INSPECTION_DROP, warn=logic.INSPECTION_WARN)
def bronze_inspections_raw():
    return _table(FOOD_SAFETY_SCHEMA, "inspections")


@dp.materialized_view(comment="Violations from the inspection metadata.", table_properties={"quality": "bronze"})
@logic.expectations(drop=logic.VIOLATION_DROP)
def bronze_violations_raw():
    return _table(FOOD_SAFETY_SCHEMA, "violations")


@dp.materialized_view(comment="Menu items with price, calorie and health flags, checked against their menu PDF.",
                      table_properties={"quality": "silver"})
@logic.expectations(warn=logic.SILVER_MENU_WARN)
def silver_menu_items():
    return logic.silver_menu_items(spark.read.table("bronze_menu_raw"),  # noqa: F821
                                   spark.read.table("bronze_menu_documents"))  # noqa: F821


@dp.materialized_view(comment="Inspections with pass/fail, score band and severity index, checked against their "
                              "report PDF.", table_properties={"quality": "silver"})
@logic.expectations(warn=logic.SILVER_INSPECTION_WARN)
def silver_inspections():
    return logic.silver_inspections(spark.read.table("bronze_inspections_raw"),  # noqa: F821
                                    spark.read.table("bronze_inspection_documents"))  # noqa: F821


@dp.materialized_view(comment="Violations with severity flags and urgency.", table_properties={"quality": "silver"})
def silver_violations():
    return logic.silver_violations(spark.read.table("bronze_violations_raw"))  # noqa: F821


def _gold(name, comment, build, source):
    @dp.materialized_view(name=name, comment=comment, table_properties={"quality": "gold"})
    def table():
        return build(spark.read.table(source))  # noqa: F821


_gold("menu_items", "The menu catalogue: brand, item, price tier, allergens.", logic.menu_items, "silver_menu_items")
_gold("nutritional_info", "Nutrition per item with health flags.", logic.nutritional_info, "silver_menu_items")
_gold("allergens", "One contains_<allergen> flag per allergen, per item.", logic.allergens, "silver_menu_items")
_gold("brand_nutrition_summary", "Nutrition and price per brand.", logic.brand_nutrition_summary, "silver_menu_items")
_gold("inspection_details", "Inspections and their compliance columns.", logic.inspection_details,
      "silver_inspections")
_gold("violation_analysis", "Violations with their flags.", logic.violation_analysis, "silver_violations")
_gold("location_compliance_summary", "Compliance per kitchen.", logic.location_compliance_summary,
      "silver_inspections")
