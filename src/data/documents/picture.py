"""Render the first page of a generated menu as a PNG (the picture of a menu in docs/caspers.md).

    python src/data/documents/picture.py --documents build/data/documents/generated --out docs/images/menu-page.png

Uses pypdfium2 (PDFium), so the picture is what a PDF viewer shows. Without --brand it takes the
first menu of menu_metadata.json.
"""

from __future__ import annotations

import argparse
import json
import os

SCALE = 1.25  # 72 dpi x 1.25: a Letter page is 765 x 990 pixels


def render(pdf_path: str, scale: float = SCALE):
    """The first page as a PIL image."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        return document[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


def menu_path(documents: str, brand: str | None = None) -> str:
    with open(os.path.join(documents, "menus", "menu_metadata.json"), encoding="utf-8") as handle:
        brands = json.load(handle)["brands"]
    chosen = next((b for b in brands if brand in (None, b["brand_name"])), None)
    if chosen is None:
        raise SystemExit(f"no menu for brand {brand!r}; brands: {', '.join(b['brand_name'] for b in brands)}")
    return os.path.join(documents, "menus", chosen["pdf_filename"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", required=True, help="the folder make data writes the documents into")
    parser.add_argument("--out", required=True)
    parser.add_argument("--brand")
    args = parser.parse_args()
    path = menu_path(args.documents, args.brand)
    render(path).save(args.out, optimize=True)
    print(f"{args.out}: first page of {os.path.basename(path)}")


if __name__ == "__main__":
    main()
