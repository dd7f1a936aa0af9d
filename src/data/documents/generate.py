"""Generate the menu and food-safety inspection documents: PDFs plus their metadata JSON.

    python src/data/documents/generate.py --out build/data/documents/generated [--seed 42] [--if-changed]

Writes menus/<menu_brand>.pdf and menus/menu_metadata.json (one menu per brand a kitchen serves),
inspections/<inspection_location_date>.pdf and inspections/inspection_metadata.json (three per
kitchen). Derived from the canonical dataset's dimension tables (src/data/canonical/dimensions.py)
and the seed; the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "canonical"))
import content  # noqa: E402
import dimensions  # noqa: E402
import pdfs  # noqa: E402

SEED = 42
STAMP = ".generator"
INPUTS = (os.path.join(HERE, "content.py"), os.path.join(HERE, "descriptions.json"), os.path.join(HERE, "pdfs.py"),
          os.path.join(HERE, "generate.py"),
          os.path.join(os.path.dirname(HERE), "canonical", "dimensions.py"))


def documents(seed: int = SEED) -> tuple[dict, dict]:
    dims = dimensions.build(seed)
    return content.menus(dims, seed), content.inspections(dims, seed)


def write(out_dir: str, seed: int = SEED) -> dict[str, int]:
    """Write every document into `out_dir` (replacing what was there); returns counts."""
    menus, inspections = documents(seed)
    staging = out_dir.rstrip("/") + ".tmp"
    shutil.rmtree(staging, ignore_errors=True)
    for folder in ("menus", "inspections"):
        os.makedirs(os.path.join(staging, folder))
    for brand in menus["brands"]:
        _write(os.path.join(staging, "menus", brand["pdf_filename"]), pdfs.menu_pdf(brand, menus["allergen_legend"]))
    for report in inspections["inspections"]:
        _write(os.path.join(staging, "inspections", report["pdf_filename"]), pdfs.inspection_pdf(report))
    _write(os.path.join(staging, "menus", "menu_metadata.json"), _json(menus))
    _write(os.path.join(staging, "inspections", "inspection_metadata.json"), _json(inspections))
    _write(os.path.join(staging, STAMP), (generator_hash(seed) + "\n").encode())
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(staging, out_dir)  # readers see the old set or the new one, never half of each
    return {"menus": len(menus["brands"]), "menu_items": sum(b["item_count"] for b in menus["brands"]),
            "inspections": len(inspections["inspections"]),
            "violations": sum(r["violation_count"] for r in inspections["inspections"])}


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=False) + "\n").encode()


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def generator_hash(seed: int) -> str:
    import fpdf

    hasher = hashlib.sha256(f"{seed}|fpdf2 {fpdf.__version__}".encode())
    for path in INPUTS:
        with open(path, "rb") as handle:
            hasher.update(handle.read())
    return hasher.hexdigest()


def up_to_date(out_dir: str, seed: int) -> bool:
    try:
        with open(os.path.join(out_dir, STAMP), encoding="utf-8") as handle:
            return handle.read().strip() == generator_hash(seed)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--if-changed", action="store_true", help="do nothing when the generator has not changed")
    args = parser.parse_args()
    if args.if_changed and up_to_date(args.out, args.seed):
        print(f"{args.out}: up to date")
        return
    print(json.dumps(write(args.out, args.seed)))


if __name__ == "__main__":
    main()
