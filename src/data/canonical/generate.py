"""Generate the canonical 90-day dataset: six dimension tables and events.parquet.

    python src/data/canonical/generate.py --out build/data/canonical/canonical_dataset [--seed 42]

Deterministic (numpy's PCG64 with a fixed seed; the same seed gives byte-identical files) and
vectorised where it matters. The model (caspers-stages.md §7.2):
- 90 days from 2024-01-01 00:00 UTC; orders per location and day = base x (1 + daily growth)^day
  x day-of-week factor (not Silicon Valley) x U(0.9, 1.1); arrivals Poisson per minute, weighted by
  a daily profile with lunch (11:00-13:30, x3) and dinner (17:00-20:00, x3.5) peaks, and a
  late-night bump in Silicon Valley;
- baskets: one brand 70% of the time, otherwise 2-3, with 1-3 items per brand and quantity 1-2,
  from the brands open at that kitchen that day (weighted by their trajectory);
- service times in minutes, Gaussian with a 0.1 floor: created->started N(2,1), started->finished
  N(10,3), finished->ready N(2,1), ready->pickup N(6,2); the driver arrives (Beta(3,3)) before or,
  half the time, after the food is ready;
- customers within 4 miles; routes are street-grid paths of 30-80 points (no OpenStreetMap here);
  the driver pings every 60 s at 25 mph until delivery.
Events are sorted by time and written in row groups of 16,384 rows, so a time window can be read
from the row-group statistics without reading the whole file.
"""

from __future__ import annotations

import argparse
import json
import os
import string
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dimensions  # noqa: E402

EPOCH = 1704067200  # 2024-01-01T00:00:00Z
DAYS = 90
SEED = 42
PING_SECONDS = 60
DRIVER_MPH = 25.0
RADIUS_MILES = 4.0
ROW_GROUP = 16_384
DOW = np.array([1.00, 1.02, 1.05, 1.10, 1.30, 1.35, 1.20])  # Monday ... Sunday (2024-01-01 was a Monday)
EVENT_TYPES = {1: "order_created", 2: "gk_started", 3: "gk_finished", 4: "gk_ready", 5: "driver_arrived",
               6: "driver_picked_up", 7: "driver_ping", 8: "delivered"}
STREETS = ["Main St", "Oak Ave", "Pine St", "Maple Ave", "Cedar St", "Elm St", "Market St", "Lake Ave",
           "Park Blvd", "2nd St", "3rd Ave", "Hill St"]


def minute_profile(location_code: str) -> np.ndarray:
    minutes = np.arange(1440)
    hours = minutes / 60.0
    weights = np.where((hours >= 7) & (hours < 23), 1.0, 0.15)
    weights = np.where((hours >= 11) & (hours < 13.5), 3.0, weights)
    weights = np.where((hours >= 17) & (hours < 20), 3.5, weights)
    if location_code == "sv":
        weights = np.where((hours >= 22) | (hours < 1), 2.2, weights)
    return weights / weights.sum()


def order_times(rng: np.random.Generator, dims: dict) -> tuple[np.ndarray, np.ndarray]:
    """Creation time (Unix seconds) and location of every order, sorted by time."""
    times, places = [], []
    for loc in dims["locations"]:
        profile = minute_profile(loc["location_code"])
        for day in range(DAYS):
            expected = loc["base_orders_day"] * (1 + loc["growth_rate_daily"]) ** day
            if loc["location_code"] != "sv":
                expected *= DOW[day % 7]
            expected *= rng.uniform(0.9, 1.1)
            counts = rng.poisson(expected * profile)
            minute = np.repeat(np.arange(1440), counts)
            seconds = EPOCH + day * 86400 + minute * 60 + rng.integers(0, 60, size=minute.size)
            times.append(seconds)
            places.append(np.full(minute.size, loc["location_id"], dtype=np.int8))
    times, places = np.concatenate(times), np.concatenate(places)
    order = np.argsort(times, kind="stable")
    return times[order], places[order]


def order_ids(rng: np.random.Generator, count: int) -> list[str]:
    alphabet = np.array(list(string.ascii_uppercase + string.digits))
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < count:
        batch = ["".join(row) for row in alphabet[rng.integers(0, 36, size=(count, 6))]]
        for candidate in batch:
            if candidate not in seen:
                seen.add(candidate)
                ids.append(candidate)
                if len(ids) == count:
                    break
    return ids


def brand_weights(dims: dict) -> dict[int, list[tuple[dict, int, float | None, float]]]:
    by_location: dict[int, list] = {}
    for row in dims["brand_locations"]:
        by_location.setdefault(row["location_id"], []).append(
            (row["brand_id"], row["start_day"], row["end_day"], row["growth_rate_monthly"]))
    return by_location


def baskets(rng: np.random.Generator, dims: dict, times: np.ndarray, places: np.ndarray) -> list[str]:
    items_by_brand: dict[int, list[dict]] = {}
    for item in dims["items"]:
        items_by_brand.setdefault(item["brand_id"], []).append(item)
    brands = brand_weights(dims)
    days = (times - EPOCH) // 86400
    n_brands = np.where(rng.random(times.size) < 0.7, 1, rng.integers(2, 4, size=times.size))
    out = []
    cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for index in range(times.size):
        key = (int(places[index]), int(days[index]))
        if key not in cache:
            rows = [(b, (1 + g) ** (key[1] / 30.0)) for b, start, end, g in brands[key[0]]
                    if start <= key[1] and (end is None or key[1] <= end)]
            ids = np.array([b for b, _ in rows])
            weights = np.array([w for _, w in rows])
            cache[key] = (ids, weights / weights.sum())
        ids, weights = cache[key]
        chosen = rng.choice(ids, size=min(int(n_brands[index]), ids.size), replace=False, p=weights)
        lines = []
        for brand in chosen:
            menu = items_by_brand[int(brand)]
            for pick in rng.choice(len(menu), size=int(rng.integers(1, 4)), replace=True):
                item = menu[int(pick)]
                lines.append({"id": item["id"], "category_id": item["category_id"], "menu_id": item["menu_id"],
                              "brand_id": item["brand_id"], "name": item["name"], "price": item["price"],
                              "qty": int(rng.integers(1, 3))})
        out.append(json.dumps(lines, separators=(",", ":")))
    return out


def service_times(rng: np.random.Generator, created: np.ndarray) -> dict[str, np.ndarray]:
    def minutes(mean: float, sd: float) -> np.ndarray:
        return np.maximum(rng.normal(mean, sd, size=created.size), 0.1) * 60

    started = created + minutes(2, 1)
    finished = started + minutes(10, 3)
    ready = finished + minutes(2, 1)
    pickup = ready + minutes(6, 2)
    share = rng.beta(3, 3, size=created.size)
    after = rng.random(created.size) < 0.5
    arrived = np.where(after, ready + share * (pickup - ready), started + share * (ready - started))
    pickup = np.maximum(pickup, arrived + 30)
    return {"started": started, "finished": finished, "ready": ready, "arrived": arrived, "pickup": pickup}


def customers(rng: np.random.Generator, dims: dict, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    centre = {loc["location_id"]: (loc["lat"], loc["lon"]) for loc in dims["locations"]}
    lat0 = np.array([centre[int(p)][0] for p in places])
    lon0 = np.array([centre[int(p)][1] for p in places])
    radius = RADIUS_MILES * np.sqrt(rng.random(places.size))
    angle = rng.random(places.size) * 2 * np.pi
    lat = lat0 + radius * np.sin(angle) / 69.0
    lon = lon0 + radius * np.cos(angle) / (69.0 * np.cos(np.radians(lat0)))
    return lat, lon


def grid_route(rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    """A staircase of north-south and east-west street segments, resampled to 30-80 points."""
    turns = int(rng.integers(2, 7))
    lat_steps = np.diff(np.sort(np.concatenate([[0.0, 1.0], rng.random(turns - 1)])))
    lon_steps = np.diff(np.sort(np.concatenate([[0.0, 1.0], rng.random(turns - 1)])))
    corners = [start]
    lat, lon = start
    for dlat, dlon in zip(lat_steps, lon_steps):
        lat += dlat * (end[0] - start[0])
        corners.append((lat, lon))
        lon += dlon * (end[1] - start[1])
        corners.append((lat, lon))
    corners = np.array(corners)
    segment = np.abs(np.diff(corners, axis=0)).sum(axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(segment)])
    total = cumulative[-1] or 1.0
    count = int(np.clip(30 + total * 69 * 10, 30, 80))
    marks = np.linspace(0, total, count)
    return np.column_stack([np.interp(marks, cumulative, corners[:, 0]), np.interp(marks, cumulative, corners[:, 1])])


def route_miles(route: np.ndarray) -> float:
    lat_mid = np.radians(route[:, 0].mean())
    steps = np.abs(np.diff(route, axis=0))
    return float((steps[:, 0] * 69.0 + steps[:, 1] * 69.0 * np.cos(lat_mid)).sum())


def build_events(dims: dict, seed: int = SEED) -> tuple[pa.Table, dict]:
    rng = np.random.default_rng(seed)
    created, places = order_times(rng, dims)
    count = created.size
    ids = order_ids(rng, count)
    items_json = baskets(rng, dims, created, places)
    svc = service_times(rng, created.astype(np.float64))
    cust_lat, cust_lon = customers(rng, dims, places)
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), size=count)]
    numbers = rng.integers(1, 9999, size=count)
    kitchen = {loc["location_id"]: (loc["lat"], loc["lon"]) for loc in dims["locations"]}

    columns: dict[str, list] = {name: [] for name in ("order_id", "location_id", "event_type_id", "ts_seconds",
                                                      "customer_lat", "customer_lon", "customer_addr", "items_json",
                                                      "route_json", "ping_lat", "ping_lon", "ping_progress")}
    pings_total = 0
    for i in range(count):
        route = grid_route(rng, kitchen[int(places[i])], (float(cust_lat[i]), float(cust_lon[i])))
        travel = route_miles(route) / DRIVER_MPH * 3600
        pickup = svc["pickup"][i]
        stamps = [created[i], svc["started"][i], svc["finished"][i], svc["ready"][i], svc["arrived"][i], pickup]
        kinds = [1, 2, 3, 4, 5, 6]
        n_pings = int(travel // PING_SECONDS)
        ping_times = pickup + PING_SECONDS * np.arange(1, n_pings + 1)
        progress = (ping_times - pickup) / travel if travel else np.zeros(0)
        distance = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(route, axis=0)).sum(axis=1))])
        at = progress * distance[-1]
        ping_lat = np.interp(at, distance, route[:, 0])
        ping_lon = np.interp(at, distance, route[:, 1])
        pings_total += n_pings
        rows = [(int(t), k) for t, k in zip(stamps, kinds)] + [(int(t), 7) for t in ping_times] + \
               [(int(pickup + travel), 8)]
        route_text = json.dumps([[round(float(a), 6), round(float(b), 6)] for a, b in route], separators=(",", ":"))
        for position, (ts, kind) in enumerate(rows):
            columns["order_id"].append(ids[i])
            columns["location_id"].append(int(places[i]))
            columns["event_type_id"].append(kind)
            columns["ts_seconds"].append(ts)
            created_row = kind == 1
            delivered_row = kind == 8
            columns["customer_lat"].append(float(cust_lat[i]) if created_row or delivered_row else None)
            columns["customer_lon"].append(float(cust_lon[i]) if created_row or delivered_row else None)
            columns["customer_addr"].append(f"{numbers[i]} {streets[i]}" if created_row else None)
            columns["items_json"].append(items_json[i] if created_row else None)
            columns["route_json"].append(route_text if kind == 6 else None)
            ping = position - 6 if kind == 7 else None
            columns["ping_lat"].append(float(ping_lat[ping]) if ping is not None else None)
            columns["ping_lon"].append(float(ping_lon[ping]) if ping is not None else None)
            columns["ping_progress"].append(float(progress[ping] * 100) if ping is not None else None)

    table = pa.table({
        "order_id": pa.array(columns["order_id"], pa.string()),
        "location_id": pa.array(columns["location_id"], pa.int8()),
        "event_type_id": pa.array(columns["event_type_id"], pa.int8()),
        "ts_seconds": pa.array(columns["ts_seconds"], pa.int64()),
        "customer_lat": pa.array(columns["customer_lat"], pa.float32()),
        "customer_lon": pa.array(columns["customer_lon"], pa.float32()),
        "customer_addr": pa.array(columns["customer_addr"], pa.string()),
        "items_json": pa.array(columns["items_json"], pa.string()),
        "route_json": pa.array(columns["route_json"], pa.string()),
        "ping_lat": pa.array(columns["ping_lat"], pa.float32()),
        "ping_lon": pa.array(columns["ping_lon"], pa.float32()),
        "ping_progress": pa.array(columns["ping_progress"], pa.float32()),
    })
    # Sequence = position of the event in its order's timeline (the driver may arrive before the food is ready).
    frame = table.append_column("row", pa.array(np.arange(table.num_rows)))
    order = np.lexsort((np.asarray(frame["event_type_id"]), np.asarray(frame["ts_seconds"]),
                        np.asarray(pa.compute.dictionary_encode(frame["order_id"]).combine_chunks().indices)))
    table = table.take(pa.array(order))
    sequence = _sequence_within_order(np.asarray(table["order_id"].to_pylist(), dtype=object))
    table = table.add_column(4, "sequence", pa.array(sequence, pa.int8()))
    by_time = np.lexsort((np.asarray(table["sequence"]), np.asarray(table["ts_seconds"])))
    table = table.take(pa.array(by_time))
    return table, {"orders": int(count), "pings": int(pings_total)}


def _sequence_within_order(order_ids: np.ndarray) -> np.ndarray:
    starts = np.concatenate([[True], order_ids[1:] != order_ids[:-1]])
    index = np.arange(order_ids.size)
    first = np.maximum.accumulate(np.where(starts, index, 0))
    return index - first


def write(out_dir: str, seed: int = SEED) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    dims = dimensions.build(seed)
    for name, rows in dims.items():
        pq.write_table(pa.Table.from_pylist(rows), os.path.join(out_dir, f"{name}.parquet"), compression="zstd")
    events, stats = build_events(dims, seed)
    pq.write_table(events, os.path.join(out_dir, "events.parquet"), row_group_size=ROW_GROUP, compression="zstd",
                   write_statistics=True)
    counts = {EVENT_TYPES[k]: int(v) for k, v in zip(*np.unique(np.asarray(events["event_type_id"]), return_counts=True))}
    return {"orders": stats["orders"], "events": events.num_rows, "by_type": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(json.dumps(write(args.out, args.seed), indent=1))


if __name__ == "__main__":
    main()
