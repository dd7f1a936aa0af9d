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
    links = pq.read_table(data / "brand_locations.parquet").to_pylist()
    nootro = [r for r in links if r["brand_id"] == 19]
    assert [(r["location_id"], r["start_day"]) for r in nootro] == [(2, 45)]
    assert [(r["location_id"], r["end_day"]) for r in links if r["end_day"] is not None] == [(4, 60.0)]  # Five Gals


def test_dimension_tables_are_the_originals(data):
    """The original demo's values (its canonical_dataset/*.parquet), not invented ones."""
    locations = pq.read_table(data / "locations.parquet").to_pylist()
    assert [r["address"] for r in locations] == [
        "160 Spear St, San Francisco, CA 94105", "3500 Deer Creek Rd, Palo Alto, CA 94304",
        "1918 8th Ave, Seattle, WA 98101", "111 W Illinois St, Chicago, IL 60654"]
    brands = {r["brand_id"]: r["name"] for r in pq.read_table(data / "brands.parquet").to_pylist()}
    assert [brands[i] for i in (1, 2, 10, 14, 19, 21, 24)] == ["McDoodles", "ChipoLot", "Yo! Sushii", "Five Gals",
                                                               "NootroNourish", "Deep Dish Dreams", "Giordano's Ghost"]
    links = pq.read_table(data / "brand_locations.parquet").to_pylist()
    kitchens: dict[int, set] = {}
    for r in links:
        kitchens.setdefault(r["brand_id"], set()).add(r["location_id"])
    assert sorted(set(brands) - set(kitchens)) == [3, 6, 7, 9, 11]  # five brands no kitchen serves
    assert sorted(b for b, k in kitchens.items() if len(k) > 1) == [1, 10, 12, 14]  # four serve several
    items = pq.read_table(data / "items.parquet").to_pylist()
    assert (items[0]["name"], items[0]["price"]) == ("Big Stack", 8.08)
    assert round(sum(i["price"] for i in items), 2) == 1383.81


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
        # `sequence` is the lifecycle position (the original's): created, started, finished, ready,
        # driver arrived, picked up, the pings, delivered; only the arrival may come early in time
        assert [r["sequence"] for r in order] == list(range(len(order)))
        assert [r["event_type_id"] for r in order] == [1, 2, 3, 4, 5, 6] + [7] * (len(order) - 7) + [8]
        times = [r["ts_seconds"] for r in order]
        without_arrival = times[:4] + times[5:]
        assert without_arrival == sorted(without_arrival) and times[0] <= times[4] < times[5]
        pings = [t for r, t in zip(order, times) if r["event_type_id"] == 7]
        assert all(b - a == 60 for a, b in zip(pings, pings[1:]))  # every 60 s
        driving = times[-1] - times[5]  # picked up -> delivered, whole seconds
        assert len(pings) in {max(1, (driving + d) // 60) - 1 for d in (-1, 0)}  # max(1, floor(minutes)) - 1


def test_demand_shape_is_the_original_models():
    """The figures of docs/caspers.md's table, against the original model's (run on its own dimension
    tables): night, lunch and dinner shares, day-of-week factors, baskets without a repeated item,
    brand lifecycles counted from each brand's start, Five Gals gone from day 60."""
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
    import figures

    f = figures.figures(str(shared_dataset()))
    assert abs(f["night_share_pct"] - 26.6) < 1.5 and abs(f["night_share_sv_pct"] - 29.5) < 2.0
    assert abs(f["lunch_share_pct"] - 14) < 1.0 and abs(f["dinner_share_pct"] - 22) < 1.0
    model = [1.0, 1.05, 1.08, 1.10, 1.25, 1.35, 1.15]
    assert all(abs(a - b) / b < 0.06 for a, b in zip(f["dow_factors"], model)), f["dow_factors"]
    assert f["basket_repeat_pct"] == 0.0
    assert abs(f["nootronourish_sv_last_2_weeks_pct"] - 13) < 2.0
    assert f["five_gals_last_chicago_day"] == 59


def test_customers_live_on_land_and_on_a_street(events, data):
    kitchens = {r["location_id"]: r for r in pq.read_table(data / "locations.parquet").to_pylist()}
    created = events.filter(np.asarray(events["event_type_id"]) == 1).select(
        ["location_id", "customer_lat", "customer_lon"]).to_pylist()
    chicago = [(r["customer_lat"], r["customer_lon"]) for r in created if r["location_id"] == 4]
    assert not [p for p in chicago if p[1] > -87.60 and 41.87 < p[0] < 41.93]  # Lake Michigan, off Streeterville
    sf = [(r["customer_lat"], r["customer_lon"]) for r in created if r["location_id"] == 1]
    assert not [p for p in sf if p[0] > 37.815 or (p[1] > -122.375 and p[0] > 37.78)]  # the Bay
    step = 1 / 16 / 69.0
    for r in created[:3000]:
        k = kitchens[r["location_id"]]
        lat_steps = (r["customer_lat"] - k["lat"]) / step
        lon_steps = (r["customer_lon"] - k["lon"]) / (step / math.cos(math.radians(k["lat"])))
        assert min(abs(lat_steps - round(lat_steps)), abs(lon_steps - round(lon_steps))) < 0.01  # float32


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
