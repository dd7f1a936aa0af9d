"""The Menu Document Processing pipeline's transformations as plain DataFrame functions
(caspers-stages.md §8.2), tested on local Spark over the generated documents.

Bronze reads the menu and inspection metadata tables and the PDFs themselves; silver derives the
health, price and compliance columns and checks every metadata row against its document's text
(`in_document`); gold shapes the tables the Genie space reads.

Only one step needs Databricks: turning a PDF into text (`ai_parse_document`). It sits behind
`document_text`, whose `parse` argument takes a Python function instead: a local run (the tests, or
`spark-pipelines` with DOCUMENT_PARSER=pypdf) passes `pdf_text` (pypdf), so everything downstream
runs on the real documents.
"""

from __future__ import annotations

from functools import reduce, wraps

ALLERGENS = ("wheat", "milk", "egg", "soy", "peanut", "tree_nut", "fish", "shellfish", "sesame")

# Expectations: rows failing a DROP rule never reach silver; WARN rules are counted by the pipeline.
MENU_DROP = {"item_name_present": "item_name IS NOT NULL", "brand_name_present": "brand_name IS NOT NULL"}
MENU_WARN = {"positive_price": "price > 0"}
INSPECTION_DROP = {"inspection_id_present": "inspection_id IS NOT NULL"}
INSPECTION_WARN = {"score_in_range": "score BETWEEN 0 AND 100"}
VIOLATION_DROP = {"inspection_id_present": "inspection_id IS NOT NULL", "code_present": "code IS NOT NULL"}
SILVER_MENU_WARN = {"plausible_calories": "calories BETWEEN 50 AND 3000",
                    "non_negative_macros": "protein_g >= 0 AND fat_g >= 0 AND carbs_g >= 0",
                    "matches_document": "in_document"}
SILVER_INSPECTION_WARN = {"known_grade": "grade IN ('A', 'B', 'C', 'F')", "matches_document": "in_document"}
DOCUMENT_DROP = {"parsed": "text IS NOT NULL AND length(text) > 0"}

# On Databricks: the text of every element ai_parse_document finds, in reading order.
AI_PARSE_TEXT = ("concat_ws('\\n', transform(try_cast(ai_parse_document(content):document:elements AS ARRAY<VARIANT>), "
                 "e -> try_cast(e:content AS STRING)))")


def pdf_text(content: bytes) -> str | None:
    """The local stand-in for ai_parse_document: the PDF's text, page by page (pypdf); None for a
    file that is not a readable PDF (ai_parse_document reports an error status for those), which
    the DOCUMENT_DROP expectation keeps out of bronze."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bytes(content))).pages)
    except (PdfReadError, ValueError, OSError):
        return None


def drop_invalid(frame, rules: dict[str, str]):
    """What expect_all_or_drop does: keep the rows every rule holds for (NULL counts as failing)."""
    from pyspark.sql import functions as F

    if not rules:
        return frame
    return frame.where(reduce(lambda a, b: a & b, (F.coalesce(F.expr(r), F.lit(False)) for r in rules.values())))


def expectations(drop: dict[str, str] | None = None, warn: dict[str, str] | None = None):
    """A table's expectations, as one decorator (under @dp.table or @dp.materialized_view).

    Databricks' pyspark.pipelines has expectations: there every rule is checked and counted in the
    pipeline's data quality metrics. The open-source module (pyspark 4.x) has none: there a DROP
    rule is the same filter (drop_invalid) and a WARN rule, which never changes a row, goes unchecked."""
    from pyspark import pipelines as dp

    def decorate(query_function):
        if hasattr(dp, "expect_all_or_drop"):
            checked = dp.expect_all(warn)(query_function) if warn else query_function
            return dp.expect_all_or_drop(drop)(checked) if drop else checked
        if not drop:
            return query_function

        @wraps(query_function)
        def filtered():
            return drop_invalid(query_function(), drop)

        return filtered

    return decorate


def document_text(files, parse=None):
    """path, file_name, text: one row per document of a binaryFile read. `parse=None` uses
    ai_parse_document (Databricks only); otherwise `parse(bytes) -> str` runs as a Python UDF."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    if parse is None:
        text = F.expr(AI_PARSE_TEXT)
    else:
        # A type, not the string "string": on Spark Connect that is parsed by the server, which a
        # pipeline does not allow while it builds its graph.
        text = F.udf(lambda content: None if content is None else parse(content), StringType())(F.col("content"))
    return files.select("path", F.element_at(F.split("path", "/"), -1).alias("file_name"), text.alias("text"))


def _normalised(column):
    """Text compared without case or line breaks (a PDF wraps long lines where it likes)."""
    from pyspark.sql import functions as F

    return F.lower(F.regexp_replace(column, r"\s+", " "))


def _mentions(text, *parts):
    from pyspark.sql import functions as F

    return reduce(lambda a, b: a & b, (F.instr(_normalised(text), _normalised(p)) > 0 for p in parts))


# ---- bronze ---------------------------------------------------------------------------------------------
def bronze_menu_raw(brands_metadata):
    return drop_invalid(brands_metadata, MENU_DROP)


def bronze_inspections_raw(inspections):
    return drop_invalid(inspections, INSPECTION_DROP)


def bronze_violations_raw(violations):
    return drop_invalid(violations, VIOLATION_DROP)


def bronze_documents(files, parse=None):
    return drop_invalid(document_text(files, parse), DOCUMENT_DROP)


# ---- silver ---------------------------------------------------------------------------------------------
# Each silver table is its input's columns plus the derived ones, in one select: withColumn and drop
# make Spark Connect analyse their input as the plan is sent, and a pipeline sends its plans before
# any of its tables exist.
def _with_document(rows, documents):
    """rows joined (left) to their document's text, `_text`, by pdf_filename."""
    from pyspark.sql import functions as F

    docs = documents.select(F.col("file_name").alias("_document"), F.col("text").alias("_text"))
    return rows.join(docs, F.col("pdf_filename") == F.col("_document"), "left")


def silver_menu_items(bronze_menu, menu_documents):
    from pyspark.sql import functions as F

    price_text = F.format_string("$%.2f", F.col("price"))
    protein_kcal = F.col("protein_g") * 4
    return _with_document(bronze_menu, menu_documents).select(
        bronze_menu["*"],
        F.size("allergens").alias("allergen_count"),
        (F.size("allergens") == 0).alias("is_allergen_free"),
        F.when(F.col("price") < 10, "budget").when(F.col("price") < 18, "standard").otherwise("premium")
        .alias("price_tier"),
        F.when(F.col("calories") < 300, "light").when(F.col("calories") < 600, "moderate").otherwise("hearty")
        .alias("calorie_category"),
        F.round(protein_kcal * 100.0 / F.col("calories"), 1).alias("protein_pct"),
        (protein_kcal > F.col("calories") * 0.25).alias("is_high_protein"),
        (F.col("calories") < 400).alias("is_low_calorie"),
        F.coalesce(_mentions(F.col("_text"), F.col("item_name"), price_text), F.lit(False)).alias("in_document"))


def silver_inspections(bronze_inspections, inspection_documents):
    from pyspark.sql import functions as F

    score_text = F.format_string("%d / 100", F.col("score"))
    return _with_document(bronze_inspections, inspection_documents).select(
        bronze_inspections["*"],
        (F.col("score") >= 70).alias("passed"),
        F.when(F.col("score") >= 90, "excellent").when(F.col("score") >= 80, "good")
        .when(F.col("score") >= 70, "acceptable").otherwise("failing").alias("score_band"),
        (F.col("critical_count") > 0).alias("has_critical"),
        (F.col("critical_count") * 3 + F.col("major_count") * 2 + F.col("minor_count")).alias("severity_index"),
        F.coalesce(_mentions(F.col("_text"), F.col("inspection_id"), score_text), F.lit(False)).alias("in_document"))


def silver_violations(bronze_violations):
    from pyspark.sql import functions as F

    severity = F.col("severity")
    return bronze_violations.select(
        "*",
        (severity == "critical").alias("is_critical"),
        (severity == "major").alias("is_major"),
        (severity == "minor").alias("is_minor"),
        F.when(severity == "critical", 10).when(severity == "major", 5).otherwise(2).alias("urgency_score"),
        (F.col("deadline_days") <= 7).alias("needs_immediate_action"))


# ---- gold -----------------------------------------------------------------------------------------------
# The gold tables keep the original pipeline's column names and roundings (Genie questions and
# dashboards written for the demo name them); menu_items also carries brand_id and item_id.
def menu_items(silver):
    return silver.select("brand_name", "cuisine", "item_name", "description", "category", "price", "price_tier",
                         "allergen_count", "is_allergen_free", "brand_id", "item_id")


def nutritional_info(silver):
    return silver.select("brand_name", "item_name", "category", "calories", "protein_g", "fat_g", "carbs_g",
                         "protein_pct", "calorie_category", "is_high_protein", "is_low_calorie")


def allergens(silver):
    from pyspark.sql import functions as F

    return silver.select("brand_name", "item_name", "category",
                         *[F.array_contains("allergens", a).alias(f"contains_{a}") for a in ALLERGENS],
                         "allergen_count")


def brand_nutrition_summary(silver):
    from pyspark.sql import functions as F

    return (silver.groupBy("brand_name", "cuisine")
            .agg(F.count("*").alias("total_items"), F.round(F.avg("calories"), 0).alias("avg_calories"),
                 F.min("calories").alias("min_calories"), F.max("calories").alias("max_calories"),
                 F.round(F.avg("protein_g"), 1).alias("avg_protein_g"), F.round(F.avg("fat_g"), 1).alias("avg_fat_g"),
                 F.round(F.avg("carbs_g"), 1).alias("avg_carbs_g"), F.round(F.avg("price"), 2).alias("avg_price"),
                 F.min("price").alias("min_price"), F.max("price").alias("max_price"),
                 F.sum(F.col("is_high_protein").cast("int")).alias("high_protein_items"),
                 F.sum(F.col("is_low_calorie").cast("int")).alias("low_calorie_items"),
                 F.sum(F.col("is_allergen_free").cast("int")).alias("allergen_free_items")))


def inspection_details(silver):
    return silver.select("inspection_id", "location_id", "location_name", "address", "jurisdiction",
                         "inspection_date", "inspector_name", "score", "grade", "score_band", "passed",
                         "violation_count", "critical_count", "major_count", "minor_count", "has_critical",
                         "severity_index", "follow_up_status")


def violation_analysis(silver):
    return silver.select("inspection_id", "location_id", "location_name", "inspection_date", "code", "severity",
                         "category", "description", "corrective_action", "deadline_days", "is_critical", "is_major",
                         "is_minor", "urgency_score", "needs_immediate_action")


def location_compliance_summary(silver):
    from pyspark.sql import functions as F

    return (silver.groupBy("location_id", "location_name")
            .agg(F.count("*").alias("total_inspections"), F.round(F.avg("score"), 1).alias("avg_score"),
                 F.min("score").alias("min_score"), F.max("score").alias("max_score"),
                 F.sum("violation_count").alias("total_violations"), F.sum("critical_count").alias("total_critical"),
                 F.sum("major_count").alias("total_major"), F.sum("minor_count").alias("total_minor"),
                 F.sum(F.col("passed").cast("int")).alias("passed_inspections"),
                 F.round(F.avg(F.col("passed").cast("int")) * 100, 1).alias("pass_rate_pct"),
                 F.round(F.avg("severity_index"), 1).alias("avg_severity_index")))
