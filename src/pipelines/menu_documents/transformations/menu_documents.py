"""Menu Document Processing Pipeline (Lakeflow Spark Declarative Pipelines source, batch).

Materialized views over the menu and inspection metadata tables and the PDFs in their volumes
(caspers-stages.md §8.2, plus the parsed documents). The transformations are plain functions in
menu_documents_logic.py (the pipeline's root folder is on the import path), tested on local Spark.
Configuration: MENU_CATALOG.
"""

import dlt
import menu_documents_logic as logic

CATALOG = spark.conf.get("MENU_CATALOG")  # noqa: F821 - provided by the pipeline runtime


def _pdfs(schema, volume):
    return (spark.read.format("binaryFile").option("pathGlobFilter", "*.pdf")  # noqa: F821
            .load(f"/Volumes/{CATALOG}/{schema}/{volume}"))


@dlt.table(comment="Menu PDFs parsed to text (ai_parse_document).", table_properties={"quality": "bronze"})
@dlt.expect_all_or_drop(logic.DOCUMENT_DROP)
def bronze_menu_documents():
    return logic.document_text(_pdfs("menu_documents", "menus"))


@dlt.table(comment="Inspection report PDFs parsed to text (ai_parse_document).", table_properties={"quality": "bronze"})
@dlt.expect_all_or_drop(logic.DOCUMENT_DROP)
def bronze_inspection_documents():
    return logic.document_text(_pdfs("food_safety", "reports"))


@dlt.table(comment="Menu items from the menu metadata.", table_properties={"quality": "bronze"})
@dlt.expect_all_or_drop(logic.MENU_DROP)
@dlt.expect_all(logic.MENU_WARN)
def bronze_menu_raw():
    return spark.read.table(f"{CATALOG}.menu_documents.brands_metadata")  # noqa: F821


@dlt.table(comment="Inspections from the inspection metadata.", table_properties={"quality": "bronze"})
@dlt.expect_all_or_drop(logic.INSPECTION_DROP)
@dlt.expect_all(logic.INSPECTION_WARN)
def bronze_inspections_raw():
    return spark.read.table(f"{CATALOG}.food_safety.inspections")  # noqa: F821


@dlt.table(comment="Violations from the inspection metadata.", table_properties={"quality": "bronze"})
@dlt.expect_all_or_drop(logic.VIOLATION_DROP)
def bronze_violations_raw():
    return spark.read.table(f"{CATALOG}.food_safety.violations")  # noqa: F821


@dlt.table(comment="Menu items with price, calorie and health flags, checked against their menu PDF.",
           table_properties={"quality": "silver"})
@dlt.expect_all(logic.SILVER_MENU_WARN)
def silver_menu_items():
    return logic.silver_menu_items(dlt.read("bronze_menu_raw"), dlt.read("bronze_menu_documents"))


@dlt.table(comment="Inspections with pass/fail, score band and severity index, checked against their report PDF.",
           table_properties={"quality": "silver"})
@dlt.expect_all(logic.SILVER_INSPECTION_WARN)
def silver_inspections():
    return logic.silver_inspections(dlt.read("bronze_inspections_raw"), dlt.read("bronze_inspection_documents"))


@dlt.table(comment="Violations with severity flags and urgency.", table_properties={"quality": "silver"})
def silver_violations():
    return logic.silver_violations(dlt.read("bronze_violations_raw"))


def _gold(name, comment, build, source):
    @dlt.table(name=name, comment=comment, table_properties={"quality": "gold"})
    def table():
        return build(dlt.read(source))

    return table


_gold("menu_items", "The menu catalogue: brand, item, price tier, allergens.", logic.menu_items, "silver_menu_items")
_gold("nutritional_info", "Nutrition per item with health flags.", logic.nutritional_info, "silver_menu_items")
_gold("allergens", "One contains_<allergen> flag per allergen, per item.", logic.allergens, "silver_menu_items")
_gold("brand_nutrition_summary", "Nutrition and price per brand.", logic.brand_nutrition_summary, "silver_menu_items")
_gold("inspection_details", "Inspections and their compliance columns.", logic.inspection_details,
      "silver_inspections")
_gold("violation_analysis", "Violations with their flags.", logic.violation_analysis, "silver_violations")
_gold("location_compliance_summary", "Compliance per kitchen.", logic.location_compliance_summary,
      "silver_inspections")
