"""What the menu and inspection documents say, derived from the canonical dataset's universe, so the
documents, the orders and the kitchens are one world: a menu for every brand that a kitchen serves
(its categories, items and prices are the dimension tables'), and three food-safety inspections of
every kitchen at its own address.

The items' descriptions are written by hand (descriptions.json). Everything else the dimension
tables do not hold (nutrition, allergens, inspection findings) is derived deterministically: a random.Random seeded with SHA-256 of (seed, what), so an
item's nutrition depends on the item alone, never on the order in which items are visited.
Calories are computed from the macros (4 kcal/g protein and carbohydrate, 9 kcal/g fat), so the
documents never contradict themselves.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

ALLERGENS = ("wheat", "milk", "egg", "soy", "peanut", "tree_nut", "fish", "shellfish", "sesame")
ALLERGEN_LABELS = {"wheat": "Wheat/Gluten", "milk": "Milk/Dairy", "egg": "Egg", "soy": "Soy", "peanut": "Peanut",
                   "tree_nut": "Tree nuts", "fish": "Fish", "shellfish": "Shellfish", "sesame": "Sesame"}

# Allergens an item's name implies (words at a word's start or end, any case), in legend order when shown.
# Coarse on purpose: a demo menu, not nutrition advice.
NAME_ALLERGENS = (
    (("burger", "stack", "sandwich", "biscuit", "muffle", "bagel", "focaccia", "pita", "wrap", "burrito", "pizza",
      "pasta", "spaghetti", "fettuccine", "udon", "ramen", "noodle", "chow mein", "gyoza", "egg roll", "rangoon",
      "tempura", "katsu", "nuggies", "crisper", "chicklet", "twists", "cake", "cookie", "dog", "italian beef",
      "combo beef", "quesadilla", "supreme", "cone", "bakery", "deep dish", "mozzarella sticks", "yakisoba",
      "onion rings", "takoyaki", "filet-o", "chickadee", "boneless", "bowl combo"), ("wheat",)),
    (("cheese", "queso", "feta", "mozzarella", "alfredo", "latte", "shake", "milkshake", "ice cream", "cone",
      "frappuccino", "fudge", "caesar", "cream", "supreme", "muffle", "biscuit", "pizza", "deep dish", "quesadilla",
      "nacho", "lions mane latte"), ("milk",)),
    (("egg", "muffle", "caesar", "karaage", "katsu", "tempura", "fried rice", "cake", "cookie", "alfredo",
      "takoyaki", "nuggies", "yakisoba"), ("egg",)),
    (("soy", "teriyaki", "tofu", "edamame", "miso", "gyoza", "udon", "ramen", "kung pow", "chickadee", "beijing",
      "fried rice", "musubi", "yakitori", "gyudon", "yakisoba", "korean", "chow mein", "poke", "hawaiian", "ahi",
      "maki", "nigiri", "sashimi", "california", "tuna", "chashu", "bk sauce", "rangoon", "egg roll"), ("soy",)),
    (("peanut", "kung pow", "thai"), ("peanut",)),
    (("walnut", "energy balls", "brain boost", "pesto", "harvest"), ("tree_nut",)),
    (("fish", "tuna", "salmon", "ahi", "hawaiian", "caesar", "pho", "vermicelli", "spring roll", "summer roll",
      "nigiri", "sashimi", "maki", "poke"), ("fish",)),
    (("shrimp", "ebi", "california", "takoyaki", "tempura"), ("shellfish",)),
    (("sesame", "hummus", "falafel", "burger", "poke", "hawaiian", "spicy tuna", "korean", "musubi", "onigiri",
      "stack"), ("sesame",)),
)
# Allergens every item of a category has (whole category words).
CATEGORY_ALLERGENS = (
    (("burgers", "vegan burgers"), ("wheat", "sesame")), (("pasta", "bakery", "udon"), ("wheat",)),
    (("ramen",), ("wheat", "soy")), (("maki", "nigiri", "sashimi"), ("fish", "soy")),
    (("poke bowls",), ("fish", "soy", "sesame")), (("pho",), ("fish",)), (("tempura",), ("wheat", "egg")),
    (("specialty pizzas", "build your own pizza", "deep dish pizzas", "pizza"), ("wheat", "milk")),
    (("milkshakes", "shakes", "ice cream cups", "ice cream cones", "nootropic lattes", "frappuccinos"), ("milk",)),
)
# How an item's category eats: its macro ranges. The first kind whose words appear in the category.
KINDS = (
    ("drink", ("drink", "coffee", "beverage", "juice", "smoothie", "shot", "latte", "tea", "refresher", "frappuccino",
               "soda")),
    ("dessert", ("dessert", "shake", "ice cream", "energy bites")),
    ("side", ("side", "fries", "add-on", "topping", "appetizer", "small plate", "tempura", "onigiri", "bakery",
              "extras", "nachos", "rolls")),
    ("kids", ("kids",)),
)
MACROS = {"main": ((20, 42), (10, 30), (35, 80)), "side": ((3, 14), (4, 18), (15, 45)),
          "drink": ((0, 8), (0, 8), (10, 48)), "dessert": ((3, 10), (8, 24), (28, 65)),
          "kids": ((10, 20), (8, 18), (25, 45))}
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
CRITICAL_FINDINGS = {("chicago", 0): 2, ("chicago", 1): 1, ("sv", 0): 1}  # critical findings of these visits


def rng_for(seed: int, *what: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, (seed, *what))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def grade(score: int) -> str:
    return "A" if score >= 90 else "B" if score >= 80 else "C" if score >= 70 else "F"


# ---- menus --------------------------------------------------------------------------------------------------
def _says(text: str, words: tuple[str, ...]) -> bool:
    """A word at the start or the end of a word of the text: `cheese` in Cheeseburger, `crisper` in
    McCrisper, never `egg` in veggie."""
    return any(re.search(rf"\b{re.escape(w)}|{re.escape(w)}s?\b", text) for w in words)


def item_allergens(name: str, category: str) -> list[str]:
    found = {a for words, allergens in NAME_ALLERGENS if _says(name.lower(), words) for a in allergens}
    found |= {a for names, allergens in CATEGORY_ALLERGENS if category.lower() in names for a in allergens}
    return [a for a in ALLERGENS if a in found]  # legend order


def kind_of(category: str) -> str:
    lowered = category.lower()
    return next((kind for kind, words in KINDS if any(w in lowered for w in words)), "main")


def nutrition(seed: int, item_id: int, category: str) -> dict:
    rng = rng_for(seed, "nutrition", item_id)
    protein, fat, carbs = (rng.randint(low, high) for low, high in MACROS[kind_of(category)])
    return {"calories": 4 * protein + 9 * fat + 4 * carbs, "protein_g": protein, "fat_g": fat, "carbs_g": carbs}


DESCRIPTIONS = Path(__file__).with_name("descriptions.json")  # written by hand, one per item


def descriptions() -> dict[int, str]:
    return {int(k): v for k, v in json.loads(DESCRIPTIONS.read_text(encoding="utf-8")).items() if k.isdigit()}


def description(item_id: int, name: str, written: dict[int, str]) -> str:
    """The item's own description; an item the file does not know (a changed universe) is a clear error."""
    if item_id not in written:
        raise KeyError(f"{DESCRIPTIONS.name} has no description for item {item_id} ({name}): write one")
    return written[item_id]


def menus(dims: dict[str, list[dict]], seed: int) -> dict:
    """The menu metadata: one brand per kitchen-served brand, items grouped in the dimension order."""
    locations = {loc["location_id"]: loc["name"] for loc in dims["locations"]}
    kitchens: dict[int, list[str]] = {}
    for link in dims["brand_locations"]:
        kitchens.setdefault(link["brand_id"], []).append(locations[link["location_id"]])
    categories = {c["id"]: c["name"] for c in dims["categories"]}
    written = descriptions()
    brands = []
    for brand in sorted(dims["brands"], key=lambda b: b["brand_id"]):
        if brand["brand_id"] not in kitchens:
            continue  # never ordered: no menu
        cuisine = brand["cuisine_type"]
        items = []
        for item in sorted((i for i in dims["items"] if i["brand_id"] == brand["brand_id"]), key=lambda i: i["id"]):
            category = categories[item["category_id"]]
            items.append({"item_id": item["id"], "name": item["name"],
                          "description": description(item["id"], item["name"], written),
                          "category": category, "price": round(float(item["price"]), 2),
                          **nutrition(seed, item["id"], category),
                          "allergens": item_allergens(item["name"], category)})
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
            found = _findings(rng, VIOLATION_COUNTS.get(code, (2, 1, 0))[visit], CRITICAL_FINDINGS.get((code, visit), 0))
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
