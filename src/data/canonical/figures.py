"""The dataset's shape in a few figures, to compare with the original model (docs/caspers.md's table)
and to pin in the tests:

    python src/data/canonical/figures.py build/data/canonical/canonical_dataset

night share (orders 23:00-07:00, all and Silicon Valley), lunch (11:00-13:00) and dinner
(17:00-20:00) shares, day-of-week factors (kitchens other than Silicon Valley, Monday = 1), the
share of orders repeating an item, NootroNourish's share of the brands ordered in Silicon Valley in
the last two weeks (order-brand pairs), the last day Five Gals is ordered in Chicago, and pings per order against the rule
max(1, floor(driving minutes)) - 1.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pyarrow.parquet as pq

EPOCH, DAY = 1704067200, 86400


def figures(folder: str) -> dict:
    events = pq.read_table(os.path.join(folder, "events.parquet"),
                           columns=["order_id", "location_id", "event_type_id", "ts_seconds", "items_json"])
    kind = np.asarray(events["event_type_id"])
    created = kind == 1
    ts = np.asarray(events["ts_seconds"])[created]
    place = np.asarray(events["location_id"])[created]
    minute = (ts - EPOCH) % DAY // 60
    day = (ts - EPOCH) // DAY
    sv = place == 2

    def share(mask, within=None):
        within = np.ones(mask.size, dtype=bool) if within is None else within
        return round(float(mask[within].mean()) * 100, 1)

    night = (minute >= 23 * 60) | (minute < 7 * 60)
    per_day = np.bincount(day[~sv], minlength=90)[:84]  # twelve whole weeks
    weekday = per_day.reshape(12, 7).mean(axis=0)
    baskets = [json.loads(text) for text in events["items_json"].filter(events["event_type_id"].to_numpy() == 1)
               .to_pylist()]
    repeats = np.array([len({i["id"] for i in b}) < len(b) for b in baskets])
    brands = [{i["brand_id"] for i in b} for b in baskets]
    five_gals = np.array([14 in b for b in brands])
    last_weeks = np.flatnonzero(sv & (day >= 76))
    pairs = [brand for index in last_weeks for brand in brands[index]]
    chicago_days = day[(place == 4) & five_gals]
    pings = int((kind == 7).sum())
    return {
        "orders": int(created.sum()),
        "night_share_pct": share(night), "night_share_sv_pct": share(night, sv),
        "lunch_share_pct": share((minute >= 11 * 60) & (minute < 13 * 60)),
        "dinner_share_pct": share((minute >= 17 * 60) & (minute < 20 * 60)),
        "dow_factors": [round(float(f), 2) for f in weekday / weekday[0]],
        "basket_repeat_pct": share(repeats),
        "nootronourish_sv_last_2_weeks_pct": round(100 * pairs.count(19) / len(pairs), 1),
        "five_gals_last_chicago_day": int(chicago_days.max()) if chicago_days.size else None,
        "pings_per_order": round(pings / int(created.sum()), 2),
    }


if __name__ == "__main__":
    print(json.dumps(figures(sys.argv[1]), indent=1))
