"""The menu and inspection documents as PDFs (fpdf2, core fonts): real, readable documents whose
text says what their metadata says. Byte-identical for the same content: the creation date is
fixed and fpdf2 derives the document id from the content."""

from __future__ import annotations

from datetime import datetime, timezone

FIXED_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)
INK, MUTED, ACCENT, RULE = (33, 33, 33), (105, 105, 105), (176, 58, 46), (220, 220, 220)
SEVERITY_INK = {"critical": (176, 58, 46), "major": (196, 120, 20), "minor": (90, 90, 90)}


def _document(title: str, subject: str):
    from fpdf import FPDF

    pdf = FPDF(format="Letter", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author("Casper's Kitchens")
    pdf.set_creator("caspers-kitchens documents generator")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_page()
    return pdf


def _text(value: str) -> str:
    """Core fonts are Latin-1; the generator's content is, and anything else fails here, loudly."""
    value.encode("latin-1")
    return value


def price(value: float) -> str:
    return f"${value:.2f}"


def menu_pdf(brand: dict, legend: dict[str, str]) -> bytes:
    pdf = _document(f"{brand['brand_name']} menu", f"{brand['cuisine']} menu")
    pdf.set_text_color(*ACCENT)
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 11, _text(brand["brand_name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _text(f"{brand['cuisine']} - delivered from Casper's Kitchens {', '.join(brand['kitchens'])}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    category = None
    for item in brand["items"]:
        if item["category"] != category:
            category = item["category"]
            pdf.ln(3)
            pdf.set_text_color(*ACCENT)
            pdf.set_font("Helvetica", "B", 13)
            pdf.cell(0, 8, _text(category.upper()), new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(*RULE)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1)
        _menu_item(pdf, item, legend)
    pdf.ln(4)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Helvetica", "I", 8)
    note = ("Allergen key: " + "; ".join(legend.values()) + ". Nutrition per serving; calories from protein and "
            "carbohydrates at 4 kcal/g and fat at 9 kcal/g.")
    pdf.multi_cell(0, 4, align="L", text=_text(note))
    return bytes(pdf.output())


def _menu_item(pdf, item: dict, legend: dict[str, str]) -> None:
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 11)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.cell(width - 30, 6, _text(item["name"]))
    pdf.cell(30, 6, price(item["price"]), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, align="L", text=_text(item["description"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font("Helvetica", "", 8)
    facts = (f"{item['calories']} kcal | protein {item['protein_g']} g | fat {item['fat_g']} g | "
             f"carbs {item['carbs_g']} g")
    allergens = ", ".join(legend[a] for a in item["allergens"]) or "none"
    pdf.multi_cell(0, 4, align="L", text=_text(f"{facts} | Allergens: {allergens}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def inspection_pdf(report: dict) -> bytes:
    pdf = _document(f"Food safety inspection {report['inspection_id']}", report["jurisdiction"])
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _text(report["jurisdiction"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, "Retail Food Establishment Inspection Report", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [("Inspection ID", report["inspection_id"]),
            ("Establishment", f"Casper's Kitchens {report['location_name']} (location {report['location_id']})"),
            ("Address", report["address"]), ("Inspection date", report["inspection_date"]),
            ("Inspector", report["inspector_name"]), ("Score", f"{report['score']} / 100"),
            ("Grade", report["grade"]),
            ("Violations", f"{report['violation_count']} (critical {report['critical_count']}, major "
                           f"{report['major_count']}, minor {report['minor_count']})"),
            ("Follow-up", report["follow_up_status"])]
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(38, 6, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, _text(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Findings", new_x="LMARGIN", new_y="NEXT")
    if not report["violations"]:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, "No violations observed.", new_x="LMARGIN", new_y="NEXT")
    for number, violation in enumerate(report["violations"], 1):
        pdf.set_text_color(*SEVERITY_INK[violation["severity"]])
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, _text(f"{number}. {violation['code']} [{violation['severity'].upper()}] {violation['category']}"),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font("Helvetica", "", 9.5)
        observed = f"Observed: {violation['description']}."
        action = f"Corrective action: {violation['corrective_action']} Deadline: {violation['deadline_days']} days."
        for line in (observed, action):
            pdf.multi_cell(0, 4.8, align="L", text=_text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
