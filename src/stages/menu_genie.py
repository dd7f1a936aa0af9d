"""Stage `menu_genie` (task Menu_Genie).

Gets or creates the SQL warehouse `<catalog>-menu-warehouse`, then the AI/BI Genie space `Caspers
Menu and Safety Intelligence (<catalog>)` over the ten silver and gold menu and safety tables. The
space is found by its title and updated on every run, so a changed table list, description or
sample question reaches the workspace.
"""

from caspers.agent_stage import warehouse_options
from caspers.genie import ensure_space, serialized_space
from stage_runtime.ensure import ensure_warehouse

TABLES = ("silver_menu_items", "silver_inspections", "silver_violations", "menu_items", "nutritional_info",
          "allergens", "brand_nutrition_summary", "inspection_details", "violation_analysis",
          "location_compliance_summary")
QUESTIONS = [
    "Which brands have the most allergen-free items?",
    "What is the average price per brand, cheapest first?",
    "Which menu items are high in protein and under 400 calories?",
    "Which items contain peanuts or tree nuts?",
    "How many items does each cuisine offer by price tier?",
    "Which kitchen has the lowest average inspection score?",
    "List the critical violations and their corrective actions.",
    "How did each kitchen's inspection score change over time?",
    "Which violations need action within a week?",
    "What is each kitchen's pass rate?",
]
DESCRIPTION = (
    "Menus and food-safety inspections of Casper's Kitchens. menu_items, nutritional_info and allergens hold one "
    "row per menu item (brand, price and price tier; calories and macros; contains_<allergen> flags); "
    "brand_nutrition_summary aggregates them per brand. inspection_details holds one row per inspection (score, "
    "grade, pass/fail, severity index), violation_analysis one row per finding (severity, urgency, deadline), "
    "location_compliance_summary one row per kitchen. Kitchens are identified by location_id and location_name; "
    "brands by brand_name (brand_id joins to the order data).")


def run(ctx):
    catalog = ctx.params["CATALOG"]
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-menu-warehouse", **warehouse_options())
    tables = [f"{catalog}.menu_documents.{name}" for name in TABLES]
    space_id = ensure_space(ctx, space_title(catalog), DESCRIPTION, warehouse_id, serialized_space(tables, QUESTIONS))
    print(f"[{ctx.name}] Genie space {space_id} over {len(tables)} tables, warehouse {warehouse_id}")


def space_title(catalog):
    return f"Caspers Menu and Safety Intelligence ({catalog})"
