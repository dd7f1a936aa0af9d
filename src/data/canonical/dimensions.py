"""The canonical dataset's fixed universe: 4 locations, 24 brands (one kitchen each), their
menus, 112 categories and 181 items. Facts from the catalogue (caspers-stages.md §7.1): location
ids, codes, base orders per day and growth rates; brand 19 NootroNourish opens on day 45 in
Silicon Valley; brand 14 Five Gals closes after day 60 in Chicago. Everything else (names,
addresses, prices) is invented here, deterministically."""

from __future__ import annotations

import random

LOCATIONS = [
    # id, code, name, address, lat, lon, narrative, base orders/day, daily growth
    (1, "sf", "San Francisco", "1450 Folsom St, San Francisco, CA", 37.7712, -122.4126,
     "Established kitchen in a dense market; steady growth.", 150, 0.0065),
    (2, "sv", "Silicon Valley", "455 Castro St, Mountain View, CA", 37.3894, -122.0819,
     "Young kitchen riding a late-night tech crowd; fastest growth.", 50, 0.0135),
    (3, "bellevue", "Bellevue", "10500 NE 8th St, Bellevue, WA", 47.6168, -122.2003,
     "Mature suburban kitchen; flat demand.", 200, 0.0),
    (4, "chicago", "Chicago", "222 W Merchandise Mart Plaza, Chicago, IL", 41.8885, -87.6354,
     "Largest kitchen, losing share to competitors; slow decline.", 300, -0.004),
]

# id, name, cuisine, average prep minutes, location, start day, end day (None = open), trajectory,
# monthly growth of its share of the kitchen's orders
BRANDS = [
    (1, "McDoodles", "Burgers", 9, 1, 0, None, "stable", 0.00),
    (2, "Wok This Way Express", "Chinese", 12, 1, 0, None, "growing", 0.05),
    (3, "Pasta La Vista", "Italian", 14, 1, 0, None, "stable", 0.00),
    (4, "Taco 'Bout It", "Mexican", 8, 1, 0, None, "growing", 0.03),
    (5, "Pho Real", "Vietnamese", 13, 1, 0, None, "declining", -0.04),
    (6, "Curry Up", "Indian", 15, 1, 0, None, "stable", 0.01),
    (7, "Byte Bowls", "Healthy", 7, 2, 0, None, "growing", 0.06),
    (8, "Midnight Ramen", "Japanese", 11, 2, 0, None, "growing", 0.04),
    (9, "Stack Overflow Pancakes", "Breakfast", 10, 2, 0, None, "stable", 0.00),
    (10, "Null Pointer Noodles", "Thai", 12, 2, 0, None, "declining", -0.03),
    (11, "Sprout & About", "Vegan", 9, 3, 0, None, "stable", 0.00),
    (12, "Salmon Chanted Evening", "Seafood", 16, 3, 0, None, "stable", 0.00),
    (13, "Rain City Rolls", "Sushi", 14, 3, 0, None, "stable", 0.01),
    (14, "Five Gals", "Burgers", 10, 4, 0, 60, "exit", -0.10),
    (15, "Deep Dish Dreams", "Pizza", 18, 4, 0, None, "stable", 0.00),
    (16, "Windy City Wings", "Wings", 12, 4, 0, None, "declining", -0.02),
    (17, "Loop Tacos", "Mexican", 8, 4, 0, None, "stable", 0.00),
    (18, "Gyro Hero", "Greek", 9, 4, 0, None, "growing", 0.02),
    (19, "NootroNourish", "Functional", 6, 2, 45, None, "launch", 0.20),
    (20, "Golden Gate Grill", "American", 13, 1, 0, None, "stable", 0.00),
    (21, "Eastside Poke", "Hawaiian", 8, 3, 0, None, "growing", 0.03),
    (22, "Cascade Curry", "Indian", 15, 3, 0, None, "declining", -0.02),
    (23, "Second City Subs", "Sandwiches", 7, 4, 0, None, "stable", 0.00),
    (24, "Prairie Salads", "Healthy", 6, 4, 0, None, "growing", 0.02),
]

CATEGORY_NAMES = ["Mains", "Sides", "Drinks", "Desserts", "Starters", "Bowls", "Specials", "Kids"]
ITEM_WORDS = ["Classic", "Spicy", "Smoky", "Crispy", "Garlic", "Honey", "Truffle", "Lemon", "Chili", "Herb",
              "Double", "Mini", "Loaded", "Golden", "Green"]
ITEM_NOUNS = {"Mains": ["Burger", "Bowl", "Plate", "Wrap", "Noodles"], "Sides": ["Fries", "Slaw", "Rice", "Salad"],
              "Drinks": ["Lemonade", "Tea", "Soda", "Smoothie"], "Desserts": ["Brownie", "Cookie", "Mochi", "Pie"],
              "Starters": ["Dumplings", "Wings", "Bites", "Rolls"], "Bowls": ["Poke", "Grain Bowl", "Ramen"],
              "Specials": ["Chef's Plate", "Combo", "Feast"], "Kids": ["Sliders", "Nuggets", "Mac"]}
CATEGORIES_TOTAL = 112
ITEMS_TOTAL = 181


def build(seed: int) -> dict[str, list[dict]]:
    """Rows of the six dimension tables, deterministic for a seed."""
    rng = random.Random(seed)
    locations = [dict(zip(("location_id", "location_code", "name", "address", "lat", "lon", "narrative",
                           "base_orders_day", "growth_rate_daily"), row)) for row in LOCATIONS]
    brands = [{"brand_id": b[0], "name": b[1], "cuisine_type": b[2], "avg_prep_time_min": b[3]} for b in BRANDS]
    brand_locations = [{"brand_location_id": i + 1, "brand_id": b[0], "location_id": b[4], "start_day": b[5],
                        "end_day": float(b[6]) if b[6] is not None else None, "trajectory": b[7],
                        "growth_rate_monthly": b[8]} for i, b in enumerate(BRANDS)]
    menus = [{"id": b[0], "brand_id": b[0], "name": f"{b[1]} Menu"} for b in BRANDS]
    # 112 categories over 24 menus: 4 each, plus one more for the first 16 menus.
    counts = [5 if i < CATEGORIES_TOTAL - 4 * len(BRANDS) else 4 for i in range(len(BRANDS))]
    categories = []
    for menu, count in zip(menus, counts):
        for name in CATEGORY_NAMES[:count]:
            categories.append({"id": len(categories) + 1, "menu_id": menu["id"], "brand_id": menu["brand_id"],
                               "name": name})
    # 181 items: one per category, plus one more in the first 69 categories.
    items = []
    extra = ITEMS_TOTAL - len(categories)
    for index, category in enumerate(categories):
        for _ in range(2 if index < extra else 1):
            noun = rng.choice(ITEM_NOUNS[category["name"]])
            name = f"{rng.choice(ITEM_WORDS)} {noun}"
            low, high = {"Drinks": (2.5, 6.0), "Desserts": (3.5, 8.0), "Sides": (3.0, 7.5), "Kids": (5.0, 9.0)}.get(
                category["name"], (8.0, 19.0))
            items.append({"id": len(items) + 1, "category_id": category["id"], "menu_id": category["menu_id"],
                          "brand_id": category["brand_id"], "name": name,
                          "price": round(rng.uniform(low, high) * 4) / 4 - 0.01})
    return {"locations": locations, "brands": brands, "brand_locations": brand_locations, "menus": menus,
            "categories": categories, "items": items}
