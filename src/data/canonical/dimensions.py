"""The canonical dataset's fixed universe: the original demo's six dimension tables, value for value
(`dimensions.json`, read from the original repository's canonical_dataset/*.parquet): 4 kitchens
(ids, codes, addresses, coordinates, base orders per day, daily growth), 24 brands, the 24
kitchen-brand links with their start and end days, trajectories and monthly growth, 24 menus, 112
categories and 181 items with their prices. In that universe 5 brands have no kitchen (their items
are never ordered) and 4 serve several kitchens; NootroNourish opens in Silicon Valley on day 45
and Five Gals leaves Chicago on day 60."""

from __future__ import annotations

import json
import os

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dimensions.json")
TABLES = ("locations", "brands", "brand_locations", "menus", "categories", "items")


def build(seed: int = 42) -> dict[str, list[dict]]:
    """Rows of the six dimension tables. The tables are facts, not drawn: `seed` is accepted so the
    generators can pass theirs, and changes nothing."""
    with open(SOURCE, encoding="utf-8") as handle:
        tables = json.load(handle)
    return {name: [dict(zip(tables[name]["columns"], row)) for row in tables[name]["rows"]] for name in TABLES}
