"""The Menu Document Processing pipeline's transformations on local Spark, over the generated
documents: the PDFs read as binary files and parsed by the local stand-in for ai_parse_document
(pypdf), the metadata tables built from the documents' metadata. Every metadata row is found in its
document; a row that disagrees with its document, an unreadable file and rows missing their keys
are caught; the derived and gold columns match a computation in plain Python. Then the pipeline
itself, run once by the open-source spark-pipelines runner with the pypdf parser: its tables against
the documents' metadata."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from .conftest import ROOT, generated_documents
from .sdp_runner import run_pipeline

sys.path.insert(0, str(ROOT / "src" / "data" / "documents"))
sys.path.insert(0, str(ROOT / "src" / "pipelines" / "menu_documents"))


@pytest.fixture(scope="module")
def spark():
    from local_workspace.spark import session as local_session

    session = local_session("menu-pipeline-tests")
    # The parser runs in Spark's Python workers: they import it the way the pipeline's root_path does.
    session.sparkContext.addPyFile(str(ROOT / "src" / "pipelines" / "menu_documents" / "menu_documents_logic.py"))
    yield session


@pytest.fixture(scope="module")
def metadata():
    folder = generated_documents()
    return (json.loads((folder / "menus" / "menu_metadata.json").read_text()),
            json.loads((folder / "inspections" / "inspection_metadata.json").read_text()))


@pytest.fixture(scope="module")
def layers(spark, metadata, tmp_path_factory):
    import menu_documents_logic as logic
    import tables

    menus, reports = metadata
    inspections_folder = tmp_path_factory.mktemp("reports")
    for pdf in (generated_documents() / "inspections").glob("*.pdf"):
        shutil.copy(pdf, inspections_folder)
    (inspections_folder / "torn.pdf").write_bytes(b"%PDF-1.4 cut off in the middle of an upload")

    def pdfs(folder):
        return spark.read.format("binaryFile").option("pathGlobFilter", "*.pdf").load(str(folder))

    menu_docs = logic.bronze_documents(pdfs(generated_documents() / "menus"), parse=logic.pdf_text).cache()
    inspection_docs = logic.bronze_documents(pdfs(inspections_folder), parse=logic.pdf_text).cache()
    brands = spark.createDataFrame(tables.brands_metadata(menus), tables.BRANDS_METADATA)
    inspections = spark.createDataFrame(tables.inspections(reports), tables.INSPECTIONS)
    violations = spark.createDataFrame(tables.violations(reports), tables.VIOLATIONS)
    silver_menu = logic.silver_menu_items(logic.bronze_menu_raw(brands), menu_docs).cache()
    silver_inspections = logic.silver_inspections(logic.bronze_inspections_raw(inspections), inspection_docs).cache()
    silver_violations = logic.silver_violations(logic.bronze_violations_raw(violations))
    return {"menu_docs": menu_docs, "inspection_docs": inspection_docs, "brands": brands,
            "silver_menu": silver_menu, "silver_inspections": silver_inspections,
            "silver_violations": silver_violations}


def test_every_document_is_parsed_and_an_unreadable_one_is_dropped(layers, metadata):
    menus, reports = metadata
    menu_docs = {r.file_name: r.text for r in layers["menu_docs"].collect()}
    assert sorted(menu_docs) == sorted(b["pdf_filename"] for b in menus["brands"])
    assert all(menu_docs[b["pdf_filename"]].startswith(b["brand_name"]) for b in menus["brands"])
    names = sorted(r.file_name for r in layers["inspection_docs"].collect())
    assert names == sorted(r["pdf_filename"] for r in reports["inspections"])  # torn.pdf is not among them


def test_every_metadata_row_is_found_in_its_document(layers):
    rows = layers["silver_menu"].select("item_name", "in_document").collect()
    assert len(rows) == 136 and all(r.in_document for r in rows)
    assert all(r.in_document for r in layers["silver_inspections"].collect())


def test_a_row_that_disagrees_with_its_document_is_flagged(spark, layers):
    import menu_documents_logic as logic
    from pyspark.sql import functions as F

    first = layers["brands"].first()
    tampered = layers["brands"].withColumn(
        "price", F.when(F.col("item_id") == first.item_id, F.lit(first.price + 1.0)).otherwise(F.col("price")))
    flagged = logic.silver_menu_items(tampered, layers["menu_docs"]).where("NOT in_document").collect()
    assert [r.item_id for r in flagged] == [first.item_id]


def test_rows_missing_their_keys_never_reach_silver(spark, layers):
    import menu_documents_logic as logic

    from pyspark.sql import functions as F

    no_brand = layers["brands"].limit(2).withColumn("brand_name", F.lit(None).cast("string"))
    no_item = layers["brands"].limit(1).withColumn("item_name", F.lit(None).cast("string"))
    kept = logic.bronze_menu_raw(layers["brands"].unionByName(no_brand).unionByName(no_item))
    assert kept.count() == 136


def test_derived_columns_match_the_rules(layers):
    for r in layers["silver_menu"].collect():
        assert r.price_tier == ("budget" if r.price < 10 else "standard" if r.price < 18 else "premium")
        assert r.calorie_category == ("light" if r.calories < 300 else "moderate" if r.calories < 600 else "hearty")
        assert r.protein_pct == round(r.protein_g * 400 / r.calories, 1)
        assert r.is_high_protein == (r.protein_g * 4 > r.calories * 0.25) and r.is_low_calorie == (r.calories < 400)
        assert (r.allergen_count, r.is_allergen_free) == (len(r.allergens), not r.allergens)
    for r in layers["silver_inspections"].collect():
        assert r.passed == (r.score >= 70) and r.severity_index == 3 * r.critical_count + 2 * r.major_count + r.minor_count
        assert r.score_band == ("excellent" if r.score >= 90 else "good" if r.score >= 80 else
                                "acceptable" if r.score >= 70 else "failing")
    for r in layers["silver_violations"].collect():
        assert r.urgency_score == {"critical": 10, "major": 5, "minor": 2}[r.severity]
        assert r.needs_immediate_action == (r.deadline_days <= 7)


def test_gold_tables(layers, metadata):
    import menu_documents_logic as logic

    menus, reports = metadata
    silver = layers["silver_menu"]
    allergens = {r.item_name + r.brand_name: r for r in logic.allergens(silver).collect()}
    for brand in menus["brands"]:
        for item in brand["items"]:
            row = allergens[item["name"] + brand["brand_name"]]
            assert [a for a in logic.ALLERGENS if row[f"contains_{a}"]] == item["allergens"]
    summary = {r.brand_name: r for r in logic.brand_nutrition_summary(silver).collect()}
    assert sum(r.total_items for r in summary.values()) == 136  # the original's column names
    for brand in menus["brands"]:
        prices = [i["price"] for i in brand["items"]]
        assert (summary[brand["brand_name"]].min_price, summary[brand["brand_name"]].max_price) == (min(prices), max(prices))
    compliance = {r.location_name: r for r in logic.location_compliance_summary(layers["silver_inspections"]).collect()}
    assert len(compliance) == 4 and sum(r.total_violations for r in compliance.values()) == 30
    for name, row in compliance.items():
        scores = [r["score"] for r in reports["inspections"] if r["location_name"] == name]
        assert (row.total_inspections, row.min_score, row.max_score) == (3, min(scores), max(scores))
        assert row.total_critical + row.total_major + row.total_minor == row.total_violations
        assert row.pass_rate_pct == round(100 * sum(s >= 70 for s in scores) / 3, 1)
    assert logic.menu_items(silver).count() == logic.nutritional_info(silver).count() == 136
    assert logic.violation_analysis(layers["silver_violations"]).count() == 30
    assert logic.inspection_details(layers["silver_inspections"]).count() == 12


# ---- the pipeline on the spark-pipelines runner ----------------------------------------------------------
@pytest.fixture(scope="module")
def pipeline(spark, metadata, tmp_path_factory):
    """The metadata tables (plus rows missing their keys) and the PDFs (plus a torn one) where the
    configuration points, one pipeline run; returns the pipeline's database."""
    import tables
    from local_workspace.spark import unique

    from pyspark.sql import functions as F

    menus, reports = metadata
    work = tmp_path_factory.mktemp("menu-run")
    menu_db, safety_db = unique("menu_documents"), unique("food_safety")
    for database in (menu_db, safety_db):
        spark.sql(f"CREATE DATABASE {database}")  # what the menu and inspection data stages make
    brands = spark.createDataFrame(tables.brands_metadata(menus), tables.BRANDS_METADATA)
    keyless = brands.limit(2).withColumn("brand_name", F.lit(None).cast("string"))
    brands.unionByName(keyless).write.saveAsTable(f"{menu_db}.brands_metadata")
    spark.createDataFrame(tables.inspections(reports), tables.INSPECTIONS).write.saveAsTable(f"{safety_db}.inspections")
    violations = spark.createDataFrame(tables.violations(reports), tables.VIOLATIONS)
    violations.unionByName(violations.limit(1).withColumn("code", F.lit(None).cast("string"))) \
        .write.saveAsTable(f"{safety_db}.violations")
    documents = work / "volumes"
    shutil.copytree(generated_documents() / "menus", documents / menu_db / "menus")
    shutil.copytree(generated_documents() / "inspections", documents / safety_db / "reports")
    (documents / safety_db / "reports" / "torn.pdf").write_bytes(b"%PDF-1.4 cut off in the middle of an upload")
    run_pipeline(spark, ROOT / "src" / "pipelines" / "menu_documents", work, menu_db,
                 {"MENU_CATALOG": "spark_catalog", "MENU_SCHEMA": menu_db, "FOOD_SAFETY_SCHEMA": safety_db,
                  "DOCUMENTS_ROOT": str(documents), "DOCUMENT_PARSER": "pypdf"})
    return menu_db


def _parses_every_document_and_drops_the_torn_one(spark, database, menus, reports):
    menu_docs = {r.file_name: r.text for r in spark.table(f"{database}.bronze_menu_documents").collect()}
    assert sorted(menu_docs) == sorted(b["pdf_filename"] for b in menus["brands"])
    assert all(menu_docs[b["pdf_filename"]].startswith(b["brand_name"]) for b in menus["brands"])
    names = sorted(r.file_name for r in spark.table(f"{database}.bronze_inspection_documents").collect())
    assert names == sorted(r["pdf_filename"] for r in reports["inspections"])


def _drops_rows_missing_their_keys_and_finds_every_row_in_its_document(spark, database, menus, reports):
    items = sum(len(b["items"]) for b in menus["brands"])
    assert spark.table(f"{database}.bronze_menu_raw").count() == items == 136  # the two keyless rows dropped
    silver = spark.table(f"{database}.silver_menu_items").collect()
    assert len(silver) == items and all(r.in_document for r in silver)
    inspections = spark.table(f"{database}.silver_inspections").collect()
    assert len(inspections) == len(reports["inspections"]) == 12 and all(r.in_document for r in inspections)
    assert spark.table(f"{database}.silver_violations").count() == 30  # the one without a code dropped


def _builds_the_gold_tables(spark, database, menus, reports):
    import menu_documents_logic as logic

    allergens = {(r.brand_name, r.item_name): r for r in spark.table(f"{database}.allergens").collect()}
    for brand in menus["brands"]:
        for item in brand["items"]:
            row = allergens[(brand["brand_name"], item["name"])]
            assert [a for a in logic.ALLERGENS if row[f"contains_{a}"]] == item["allergens"]
    summary = {r.brand_name: r for r in spark.table(f"{database}.brand_nutrition_summary").collect()}
    assert sorted(summary) == sorted(b["brand_name"] for b in menus["brands"])
    for brand in menus["brands"]:
        prices = [i["price"] for i in brand["items"]]
        row = summary[brand["brand_name"]]
        assert (row.total_items, row.min_price, row.max_price) == (len(prices), min(prices), max(prices))
    compliance = {r.location_name: r for r in spark.table(f"{database}.location_compliance_summary").collect()}
    assert sorted(compliance) == sorted({r["location_name"] for r in reports["inspections"]})
    for name, row in compliance.items():
        scores = [r["score"] for r in reports["inspections"] if r["location_name"] == name]
        assert (row.total_inspections, row.min_score, row.max_score) == (len(scores), min(scores), max(scores))
        assert row.passed_inspections == sum(s >= 70 for s in scores)
    assert sum(r.total_violations for r in compliance.values()) == 30
    counts = {t: spark.table(f"{database}.{t}").count()
              for t in ("menu_items", "nutritional_info", "inspection_details", "violation_analysis")}
    assert counts == {"menu_items": 136, "nutritional_info": 136, "inspection_details": 12, "violation_analysis": 30}


# One test for the one run: pytest-xdist spreads a module's tests over its workers, and every worker
# running a test of the run would run the pipeline again.
def test_the_pipeline_run_by_spark_pipelines(spark, pipeline, metadata):
    menus, reports = metadata
    _parses_every_document_and_drops_the_torn_one(spark, pipeline, menus, reports)
    _drops_rows_missing_their_keys_and_finds_every_row_in_its_document(spark, pipeline, menus, reports)
    _builds_the_gold_tables(spark, pipeline, menus, reports)
