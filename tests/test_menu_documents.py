"""The generated menu and inspection documents: one world with the canonical dataset (a menu per
brand a kitchen serves, with its items and prices; inspections at the kitchens' addresses),
self-consistent metadata, byte-identical output whatever the hash seed, and PDFs whose extracted
text says what their metadata says."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT, documents_module, generated_documents

sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
sys.path.insert(0, str(ROOT / "src" / "data" / "documents"))


@pytest.fixture(scope="module")
def dims():
    import dimensions

    return dimensions.build(42)


@pytest.fixture(scope="module")
def menus():
    return json.loads((generated_documents() / "menus" / "menu_metadata.json").read_text())


@pytest.fixture(scope="module")
def reports():
    return json.loads((generated_documents() / "inspections" / "inspection_metadata.json").read_text())


def _text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_menus_cover_exactly_the_brands_the_kitchens_serve(menus, dims):
    served = {link["brand_id"] for link in dims["brand_locations"]}
    assert [b["brand_id"] for b in menus["brands"]] == sorted(served)
    names = {b["brand_id"]: b["name"] for b in dims["brands"]}
    items = {i["id"]: i for i in dims["items"]}
    for brand in menus["brands"]:
        assert brand["brand_name"] == names[brand["brand_id"]] and brand["item_count"] == len(brand["items"])
        assert sorted(i["item_id"] for i in brand["items"]) == sorted(i["id"] for i in dims["items"]
                                                                       if i["brand_id"] == brand["brand_id"])
        for item in brand["items"]:
            source = items[item["item_id"]]
            assert (item["name"], item["price"]) == (source["name"], round(source["price"], 2))
            assert item["calories"] == 4 * item["protein_g"] + 9 * item["fat_g"] + 4 * item["carbs_g"]
            assert set(item["allergens"]) <= set(menus["allergen_legend"])
    assert sum(b["item_count"] for b in menus["brands"]) == len([i for i in dims["items"] if i["brand_id"] in served])
    assert (len(menus["brands"]), sum(b["item_count"] for b in menus["brands"])) == (19, 136)  # 5 brands: no kitchen


def test_every_item_has_its_own_written_description(menus):
    items = [i for b in menus["brands"] for i in b["items"]]
    written = [i["description"] for i in items]
    assert len(set(written)) == len(written) == 136  # no two alike: not a template
    assert not any(f" {i['name']}, " in i["description"] for i in items)  # the retired "Our <style> <name>, <note>."
    assert all(3 <= len(text.split()) <= 40 and text.endswith(".") for text in written)


def test_inspections_are_at_the_kitchens_and_add_up(reports, dims):
    locations = {loc["location_id"]: loc for loc in dims["locations"]}
    inspections = reports["inspections"]
    assert len(inspections) == 3 * len(locations) and sum(r["violation_count"] for r in inspections) == 30
    for report in inspections:
        location = locations[report["location_id"]]
        assert (report["location_name"], report["address"]) == (location["name"], location["address"])
        severities = [v["severity"] for v in report["violations"]]
        assert report["violation_count"] == len(severities)
        assert (report["critical_count"], report["major_count"], report["minor_count"]) == tuple(
            severities.count(s) for s in ("critical", "major", "minor"))
        assert report["grade"] == ("A" if report["score"] >= 90 else "B" if report["score"] >= 80 else
                                   "C" if report["score"] >= 70 else "F")
        assert all(v["deadline_days"] == {"critical": 3, "major": 14, "minor": 30}[v["severity"]]
                   for v in report["violations"])
    assert {r["inspection_date"] for r in inspections} == {"2024-01-15", "2024-02-12", "2024-03-18"}


def test_the_menu_pdfs_say_what_their_metadata_says(menus):
    folder = generated_documents() / "menus"
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(b["pdf_filename"] for b in menus["brands"])
    legend = menus["allergen_legend"]
    for brand in menus["brands"]:
        text = _text(folder / brand["pdf_filename"])
        assert brand["brand_name"] in text and brand["cuisine"] in text
        for item in brand["items"]:
            assert item["name"] in text and f"${item['price']:.2f}" in text
            assert f"{item['calories']} kcal | protein {item['protein_g']} g | fat {item['fat_g']} g" in text
            allergens = ", ".join(legend[a] for a in item["allergens"]) or "none"
            assert f"carbs {item['carbs_g']} g | Allergens: {allergens}" in text, (brand["brand_name"], item["name"])


def test_the_inspection_pdfs_say_what_their_metadata_says(reports):
    folder = generated_documents() / "inspections"
    for report in reports["inspections"]:
        text = _text(folder / report["pdf_filename"])
        for fact in (report["inspection_id"], report["address"], report["inspection_date"], report["inspector_name"],
                     f"Score {report['score']} / 100", f"Grade {report['grade']}", report["follow_up_status"]):
            assert fact in text, (report["inspection_id"], fact)
        for violation in report["violations"]:
            assert f"{violation['code']} [{violation['severity'].upper()}] {violation['category']}" in text
            assert f"Deadline: {violation['deadline_days']} days." in text


def test_generation_is_byte_identical_whatever_the_hash_seed(tmp_path):
    trees = []
    for seed in ("0", "12345"):
        out = tmp_path / f"docs-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, str(ROOT / "src/data/documents/generate.py"), "--out", str(out)], env=env,
                       check=True, capture_output=True)
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1] and len(trees[0]) == 19 + 12 + 3  # PDFs, two metadata files, the stamp
    assert trees[0] == {p.relative_to(generated_documents()).as_posix(): p.read_bytes()
                        for p in sorted(generated_documents().rglob("*")) if p.is_file()}


def test_if_changed_skips_an_up_to_date_folder_and_regenerates_a_stale_one(tmp_path):
    module = documents_module()
    out = tmp_path / "generated"
    module.write(str(out))
    assert module.up_to_date(str(out), 42) and not module.up_to_date(str(out), 7)
    (out / ".generator").write_text("stale\n")
    assert not module.up_to_date(str(out), 42)


def test_table_rows_follow_their_schemas(menus, reports):
    import tables

    for rows, schema in ((tables.brands_metadata(menus), tables.BRANDS_METADATA),
                         (tables.inspections(reports), tables.INSPECTIONS),
                         (tables.violations(reports), tables.VIOLATIONS)):
        width = len(schema.split(", "))
        assert rows and all(len(row) == width for row in rows), schema
    assert len(tables.brands_metadata(menus)) == 136 and len(tables.violations(reports)) == 30


def test_the_docs_show_a_page_of_the_menus_make_data_generates():
    """docs/images/menu-page.png is the first page of the first generated menu as PDFium renders it
    (`make menu-picture`), so the docs never show a menu the generator no longer makes."""
    from PIL import Image, ImageChops

    sys.path.insert(0, str(ROOT / "src" / "data" / "documents"))
    import picture

    assert "![A generated menu page](images/menu-page.png)" in (ROOT / "docs" / "caspers.md").read_text()
    shown = Image.open(ROOT / "docs" / "images" / "menu-page.png").convert("RGB")
    rendered = picture.render(picture.menu_path(str(generated_documents())))
    assert shown.size == rendered.size
    assert ImageChops.difference(shown, rendered).getbbox() is None, "run `make menu-picture` and review the picture"
