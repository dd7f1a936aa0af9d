"""The canonical dataset generator (make data) against the facts of caspers-stages.md §7."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from .dataset import generate, shared_dataset

ORIGINAL_ORDERS = 75_780


@pytest.fixture(scope="module")
def data():
    return shared_dataset()


@pytest.fixture(scope="module")
def events(data):
    return pq.read_table(data / "events.parquet")


def test_same_seed_same_bytes(data, tmp_path):
    printed = generate(tmp_path / "again").splitlines()
    assert printed[0].startswith("generating the canonical dataset into") and "dimension tables written" in printed[1]
    assert [line.split("(")[-1] for line in printed if "events: order" in line] == [f"{p}%)" for p in range(0, 100, 10)]
    for path in sorted(data.glob("*.parquet")):
        again = tmp_path / "again" / path.name
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(again.read_bytes()).digest(), path.name


def test_dimension_tables(data):
    counts = {p.stem: pq.read_metadata(p).num_rows for p in data.glob("*.parquet") if p.stem != "events"}
    assert counts == {"locations": 4, "brands": 24, "brand_locations": 24, "menus": 24, "categories": 112, "items": 181}
    locations = {r["location_id"]: r for r in pq.read_table(data / "locations.parquet").to_pylist()}
    assert {i: (r["location_code"], r["base_orders_day"], r["growth_rate_daily"]) for i, r in locations.items()} == {
        1: ("sf", 150, 0.0065), 2: ("sv", 50, 0.0135), 3: ("bellevue", 200, 0.0), 4: ("chicago", 300, -0.004)}
    brand_locations = {r["brand_id"]: r for r in pq.read_table(data / "brand_locations.parquet").to_pylist()}
    assert (brand_locations[19]["location_id"], brand_locations[19]["start_day"]) == (2, 45)
    assert (brand_locations[14]["location_id"], brand_locations[14]["end_day"]) == (4, 60.0)


def test_events_schema(events):
    assert [(f.name, str(f.type)) for f in events.schema] == [
        ("order_id", "string"), ("location_id", "int8"), ("event_type_id", "int8"), ("ts_seconds", "int64"),
        ("sequence", "int8"), ("customer_lat", "float"), ("customer_lon", "float"), ("customer_addr", "string"),
        ("items_json", "string"), ("route_json", "string"), ("ping_lat", "float"), ("ping_lon", "float"),
        ("ping_progress", "float")]


def test_totals_and_event_types(events):
    types, counts = np.unique(np.asarray(events["event_type_id"]), return_counts=True)
    by_type = dict(zip(types.tolist(), counts.tolist()))
    assert sorted(by_type) == list(range(1, 9))
    orders = by_type[1]
    assert abs(orders - ORIGINAL_ORDERS) / ORIGINAL_ORDERS < 0.05
    assert all(by_type[t] == orders for t in (1, 2, 3, 4, 5, 6, 8))  # once per order; pings vary
    ts = np.asarray(events["ts_seconds"])
    assert ts.min() >= 1704067200 and (ts[np.asarray(events["event_type_id"]) == 1].max() < 1704067200 + 90 * 86400)


def test_growth_per_location_matches_the_narrative(events):
    created = np.asarray(events["event_type_id"]) == 1
    day = (np.asarray(events["ts_seconds"]) - 1704067200) // 86400
    location = np.asarray(events["location_id"])
    change = {}
    for loc in (1, 2, 3, 4):
        first = np.sum(created & (location == loc) & (day < 7))
        last = np.sum(created & (location == loc) & (day >= 83) & (day < 90))
        change[loc] = last / first - 1
    assert 0.60 < change[1] < 0.90  # San Francisco, about +74%
    assert 1.50 < change[2] < 2.30  # Silicon Valley, about +190%
    assert -0.10 < change[3] < 0.10  # Bellevue, flat
    assert -0.35 < change[4] < -0.15  # Chicago, about -25%


def test_order_ids_and_sequences(events):
    created = events.filter(np.asarray(events["event_type_id"]) == 1)
    ids = created["order_id"].to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 6 and i.isalnum() and i == i.upper() for i in ids[:5000])
    sample = set(ids[:300])
    rows = [r for r in events.select(["order_id", "sequence", "ts_seconds", "event_type_id"]).to_pylist()
            if r["order_id"] in sample]
    by_order: dict[str, list] = {}
    for r in rows:
        by_order.setdefault(r["order_id"], []).append(r)
    for order in by_order.values():
        order.sort(key=lambda r: r["sequence"])
        assert [r["sequence"] for r in order] == list(range(len(order)))
        assert [r["ts_seconds"] for r in order] == sorted(r["ts_seconds"] for r in order)
        assert order[0]["event_type_id"] == 1 and order[-1]["event_type_id"] == 8
        pings = [r["ts_seconds"] for r in order if r["event_type_id"] == 7]
        assert all(b - a == 60 for a, b in zip(pings, pings[1:]))  # every 60 s


def test_routes_are_street_grid_paths_within_four_miles(events, data):
    kitchens = {r["location_id"]: (r["lat"], r["lon"]) for r in pq.read_table(data / "locations.parquet").to_pylist()}
    picked = events.filter(np.asarray(events["event_type_id"]) == 6).slice(0, 2000).to_pylist()
    for row in picked:
        route = json.loads(row["route_json"])
        assert 30 <= len(route) <= 80
        lat0, lon0 = kitchens[row["location_id"]]
        assert math.isclose(route[0][0], lat0, abs_tol=1e-5) and math.isclose(route[0][1], lon0, abs_tol=1e-5)
        end = route[-1]
        miles = math.hypot((end[0] - lat0) * 69, (end[1] - lon0) * 69 * math.cos(math.radians(lat0)))
        assert miles <= 4.01
        # A street-grid staircase: latitude and longitude each move one way only, never back.
        lat_steps = np.sign(np.diff([p[0] for p in route]))
        lon_steps = np.sign(np.diff([p[1] for p in route]))
        assert len(set(lat_steps[lat_steps != 0])) <= 1 and len(set(lon_steps[lon_steps != 0])) <= 1
    baskets = [json.loads(r["items_json"]) for r in events.filter(np.asarray(events["event_type_id"]) == 1)
               .slice(0, 3000).to_pylist()]
    brands_per_order = [len({i["brand_id"] for i in b}) for b in baskets]
    single = sum(n == 1 for n in brands_per_order) / len(brands_per_order)
    assert 0.65 < single < 0.80 and max(brands_per_order) <= 3
    assert all(1 <= i["qty"] <= 2 for b in baskets for i in b)


def test_row_groups_are_in_time_order(data):
    meta = pq.ParquetFile(data / "events.parquet").metadata
    column = [meta.row_group(0).column(i).path_in_schema for i in range(meta.num_columns)].index("ts_seconds")
    ranges = [(meta.row_group(g).column(column).statistics.min, meta.row_group(g).column(column).statistics.max)
              for g in range(meta.num_row_groups)]
    assert meta.num_row_groups > 30
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:]))
