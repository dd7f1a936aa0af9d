"""What the menu and inspection documents say, derived from the canonical dataset's universe, so the
documents, the orders and the kitchens are one world: a menu for every brand that a kitchen serves
(its categories, items and prices are the dimension tables'), and three food-safety inspections of
every kitchen at its own address.

Everything the dimension tables do not hold (descriptions, nutrition, allergens, inspection
findings) is derived deterministically: a random.Random seeded with SHA-256 of (seed, what), so an
item's nutrition depends on the item alone, never on the order in which items are visited.
Calories are computed from the macros (4 kcal/g protein and carbohydrate, 9 kcal/g fat), so the
documents never contradict themselves.
"""

from __future__ import annotations

import hashlib
import random
import re

ALLERGENS = ("wheat", "milk", "egg", "soy", "peanut", "tree_nut", "fish", "shellfish", "sesame")
ALLERGEN_LABELS = {"wheat": "Wheat/Gluten", "milk": "Milk/Dairy", "egg": "Egg", "soy": "Soy", "peanut": "Peanut",
                   "tree_nut": "Tree nuts", "fish": "Fish", "shellfish": "Shellfish", "sesame": "Sesame"}

# Allergens an item's name implies (by word), and the ones a cuisine adds to its mains.
WORD_ALLERGENS = {
    "burger": ("wheat", "sesame"), "wrap": ("wheat",), "noodles": ("wheat", "soy"), "ramen": ("wheat", "soy", "egg"),
    "dumplings": ("wheat", "soy"), "rolls": ("wheat",), "bites": ("wheat",), "mac": ("wheat", "milk"),
    "sliders": ("wheat", "milk"), "nuggets": ("wheat", "egg"), "brownie": ("wheat", "milk", "egg"),
    "cookie": ("wheat", "milk", "egg"), "pie": ("wheat", "milk"), "mochi": ("soy",), "smoothie": ("milk",),
    "poke": ("fish", "soy", "sesame"), "slaw": ("egg",), "truffle": ("milk",), "honey": (), "crispy": ("wheat",),
}
CUISINE_ALLERGENS = {
    "Thai": ("peanut", "fish"), "Vietnamese": ("fish",), "Japanese": ("soy", "sesame"), "Sushi": ("fish", "soy"),
    "Seafood": ("fish", "shellfish"), "Chinese": ("soy",), "Indian": ("milk", "tree_nut"), "Italian": ("wheat", "milk"),
    "Pizza": ("wheat", "milk"), "Breakfast": ("egg", "milk", "wheat"), "Vegan": ("soy", "tree_nut"),
    "Hawaiian": ("fish", "soy"), "Greek": ("milk", "wheat"), "Sandwiches": ("wheat",), "Functional": ("tree_nut",),
}
# (protein g, fat g, carbs g) ranges by category: mains are heavier than drinks.
MACROS = {"Mains": ((22, 42), (12, 30), (35, 75)), "Bowls": ((18, 36), (10, 24), (40, 70)),
          "Specials": ((28, 48), (18, 36), (45, 85)), "Starters": ((8, 20), (8, 20), (15, 35)),
          "Sides": ((3, 10), (4, 16), (20, 45)), "Drinks": ((0, 8), (0, 6), (18, 48)),
          "Desserts": ((3, 8), (10, 24), (30, 60)), "Kids": ((10, 20), (8, 18), (25, 45))}
DEFAULT_MACROS = ((10, 30), (8, 24), (25, 60))
CUISINE_WORDS = {"Burgers": "grilled", "Chinese": "wok-fired", "Italian": "slow-simmered", "Mexican": "street-style",
                 "Vietnamese": "herb-bright", "Indian": "spice-layered", "Healthy": "clean", "Japanese": "umami-rich",
                 "Breakfast": "griddle-fresh", "Thai": "sweet-and-sour", "Vegan": "plant-based", "Seafood": "coastal",
                 "Sushi": "hand-rolled", "Pizza": "stone-baked", "Wings": "sauced", "Greek": "charred",
                 "Functional": "nutrient-dense", "American": "diner-style", "Hawaiian": "island-style",
                 "Sandwiches": "deli-stacked"}
SIDE_NOTES = ["made to order", "finished with house sauce", "with seasonal greens", "prepared fresh every morning",
              "a kitchen favourite", "portioned for one", "built for delivery", "with a squeeze of citrus"]

INSPECTION_DATES = ("2024-01-15", "2024-02-12", "2024-03-18")
JURISDICTIONS = {"sf": "San Francisco Department of Public Health",
                 "sv": "Santa Clara County Department of Environmental Health",
                 "bellevue": "Public Health - Seattle & King County",
                 "chicago": "Chicago Department of Public Health"}
INSPECTORS = ["Alma Reyes", "Theo Lindqvist", "Grace Oduya", "Kenji Morimoto", "Ruth Abernathy", "Samir Haddad"]
# code, severity, category, what the inspector saw (codes, severities and categories: the demo's catalogue)
VIOLATIONS = [
    ("V-101", "critical", "Temperature Control", "Cold-held food measured above 41F in the prep-line cooler"),
    ("V-102", "critical", "Cross-Contamination", "Raw chicken kept on a shelf above ready-to-eat salads"),
    ("V-103", "critical", "Personal Hygiene", "Cook returned to the line without washing hands or changing gloves"),
    ("V-104", "critical", "Sanitation", "Sanitizer bucket tested below 50 ppm available chlorine"),
    ("V-105", "critical", "Personnel", "No certified food protection manager on duty during service"),
    ("V-201", "major", "Facilities", "Hand sink obstructed by a rolling rack of sheet pans"),
    ("V-202", "major", "Sanitation", "Cutting boards reused between raw and cooked products without sanitizing"),
    ("V-203", "major", "Equipment", "Walk-in cooler has no working, calibrated thermometer"),
    ("V-204", "major", "Food Labeling", "Prepared sauces held over 24 hours carry no date marks"),
    ("V-205", "major", "Maintenance", "Grease accumulated on hood filters above the fryers"),
    ("V-206", "major", "Pest Control", "Pest log out of date; droppings found behind dry-storage shelving"),
    ("V-301", "minor", "Facilities", "Cracked floor tiles near the dish station"),
    ("V-302", "minor", "Facilities", "Light fixture over the prep table lacks a shatter shield"),
    ("V-303", "minor", "Personal Hygiene", "Staff phones and bags kept on a food-prep shelf"),
    ("V-304", "minor", "Sanitation", "Waste bin lid at the expo station does not close"),
    ("V-305", "minor", "Administrative", "Health permit not displayed where customers can see it"),
    ("V-306", "minor", "Maintenance", "Condensation dripping from the vent above the dishwasher"),
    ("V-307", "minor", "Chemical Safety", "Unlabelled spray bottles of degreaser in the utility closet"),
]
CORRECTIVE = {
    "Temperature Control": "Discard the affected food now, service the cooler, and log temperatures every four hours.",
    "Cross-Contamination": "Store raw proteins on the lowest shelves and retrain staff on the storage order.",
    "Personal Hygiene": "Retrain the team on handwashing and glove changes; the shift lead checks each hour.",
    "Sanitation": "Clean and sanitize the affected surfaces, and check sanitizer strength with test strips each shift.",
    "Personnel": "Schedule a certified manager for every shift and enrol two backups in certification.",
    "Facilities": "File a repair request and keep the area out of use until it is fixed.",
    "Equipment": "Install calibrated thermometers within 48 hours and add them to the weekly checklist.",
    "Food Labeling": "Date-mark every prepared item now and audit labels at each shift change.",
    "Maintenance": "Book a professional cleaning within seven days and add it to the monthly schedule.",
    "Pest Control": "Call a licensed pest control service within 72 hours and keep the log current.",
    "Administrative": "Post the current permit and the latest report in public view within 24 hours.",
    "Chemical Safety": "Label every chemical container and move them to the chemical storage area.",
}
DEADLINE_DAYS = {"critical": 3, "major": 14, "minor": 30}
PENALTY = {"critical": 8, "major": 5, "minor": 2}
# Violations per inspection (first, second, third) by kitchen: 30 in all; Chicago's first is rough.
VIOLATION_COUNTS = {"sf": (2, 3, 1), "sv": (3, 2, 1), "bellevue": (3, 2, 1), "chicago": (6, 4, 2)}
CRITICAL_ALLOWED = {("chicago", 0): 2, ("chicago", 1): 1, ("sv", 0): 1}  # how many critical findings at most


def rng_for(seed: int, *what: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, (seed, *what))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def grade(score: int) -> str:
    return "A" if score >= 90 else "B" if score >= 80 else "C" if score >= 70 else "F"


# ---- menus --------------------------------------------------------------------------------------------------
def item_allergens(name: str, category: str, cuisine: str) -> list[str]:
    found = set()
    for word in name.lower().replace("'", "").split():
        found.update(WORD_ALLERGENS.get(word, ()))
    if category in ("Mains", "Bowls", "Specials", "Starters"):
        found.update(CUISINE_ALLERGENS.get(cuisine, ()))
    return [a for a in ALLERGENS if a in found]  # legend order


def nutrition(seed: int, item_id: int, category: str) -> dict:
    rng = rng_for(seed, "nutrition", item_id)
    protein, fat, carbs = (rng.randint(low, high) for low, high in MACROS.get(category, DEFAULT_MACROS))
    return {"calories": 4 * protein + 9 * fat + 4 * carbs, "protein_g": protein, "fat_g": fat, "carbs_g": carbs}


def description(seed: int, item_id: int, name: str, cuisine: str) -> str:
    rng = rng_for(seed, "description", item_id)
    style = CUISINE_WORDS.get(cuisine, "house")
    return f"Our {style} {name.lower()}, {rng.choice(SIDE_NOTES)}."


def menus(dims: dict[str, list[dict]], seed: int) -> dict:
    """The menu metadata: one brand per kitchen-served brand, items grouped in the dimension order."""
    locations = {loc["location_id"]: loc["name"] for loc in dims["locations"]}
    kitchens: dict[int, list[str]] = {}
    for link in dims["brand_locations"]:
        kitchens.setdefault(link["brand_id"], []).append(locations[link["location_id"]])
    categories = {c["id"]: c["name"] for c in dims["categories"]}
    brands = []
    for brand in sorted(dims["brands"], key=lambda b: b["brand_id"]):
        if brand["brand_id"] not in kitchens:
            continue  # never ordered: no menu
        cuisine = brand["cuisine_type"]
        items = []
        for item in sorted((i for i in dims["items"] if i["brand_id"] == brand["brand_id"]), key=lambda i: i["id"]):
            category = categories[item["category_id"]]
            items.append({"item_id": item["id"], "name": item["name"],
                          "description": description(seed, item["id"], item["name"], cuisine),
                          "category": category, "price": round(float(item["price"]), 2),
                          **nutrition(seed, item["id"], category),
                          "allergens": item_allergens(item["name"], category, cuisine)})
        brands.append({"brand_id": brand["brand_id"], "brand_name": brand["name"], "cuisine": cuisine,
                       "kitchens": sorted(set(kitchens[brand["brand_id"]])),
                       "pdf_filename": f"menu_{slug(brand['name'])}.pdf", "item_count": len(items), "items": items})
    return {"brands": brands, "allergen_legend": dict(ALLERGEN_LABELS)}


# ---- inspections ----------------------------------------------------------------------------------------------
def inspections(dims: dict[str, list[dict]], seed: int) -> dict:
    """Three inspections of every kitchen, at its address; score = 100 minus the findings' penalties."""
    out = []
    for loc in sorted(dims["locations"], key=lambda row: row["location_id"]):
        code = loc["location_code"]
        for visit, day in enumerate(INSPECTION_DATES):
            rng = rng_for(seed, "inspection", loc["location_id"], day)
            found = _findings(rng, VIOLATION_COUNTS.get(code, (2, 1, 0))[visit], CRITICAL_ALLOWED.get((code, visit), 0))
            counts = {s: sum(v["severity"] == s for v in found) for s in ("critical", "major", "minor")}
            score = max(0, 100 - sum(PENALTY[v["severity"]] for v in found) - rng.randint(0, 2))
            out.append({
                "inspection_id": f"INS-{loc['location_id']:02d}-{day.replace('-', '')}",
                "location_id": loc["location_id"], "location_name": loc["name"], "address": loc["address"],
                "jurisdiction": JURISDICTIONS.get(code, f"{loc['name']} Health Department"),
                "inspection_date": day, "inspector_name": rng.choice(INSPECTORS), "score": score, "grade": grade(score),
                "violations": found, "violation_count": len(found), "critical_count": counts["critical"],
                "major_count": counts["major"], "minor_count": counts["minor"],
                "follow_up_status": ("Re-inspection required within 10 business days" if counts["critical"] else
                                     "Follow-up inspection within 30 days" if counts["major"] else
                                     "Routine re-inspection in 90 days"),
                "pdf_filename": f"inspection_{code}_{day}.pdf"})
    return {"inspections": out}


def _findings(rng: random.Random, count: int, critical: int) -> list[dict]:
    pool = [v for v in VIOLATIONS if v[1] != "critical"]
    chosen = rng.sample([v for v in VIOLATIONS if v[1] == "critical"], critical) if critical else []
    chosen += rng.sample(pool, count - len(chosen))
    return [{"code": code, "severity": severity, "category": category, "description": text,
             "corrective_action": CORRECTIVE[category], "deadline_days": DEADLINE_DAYS[severity]}
            for code, severity, category, text in sorted(chosen)]
