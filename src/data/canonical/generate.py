"""Generate the canonical 90-day dataset: six dimension tables and events.parquet.

    python src/data/canonical/generate.py --out build/data/canonical/canonical_dataset [--seed 42]

Deterministic (numpy's PCG64 and Python's random with a fixed seed; the same seed gives
byte-identical files) and vectorised where it matters. The model is the original generator's
(caspers-stages.md §7.2; docs/caspers.md's table compares the figures), over the original dimension
tables (dimensions.json):
- 90 days from 2024-01-01 00:00 UTC; orders per location and day = base x (1 + daily growth)^day
  x day-of-week factor (Mon-Sun 1, 1.05, 1.08, 1.10, 1.25, 1.35, 1.15; not Silicon Valley)
  x U(0.9, 1.1); arrivals Poisson per minute over a flat base with sin^2 humps at lunch
  (11:00-13:30, to 3x) and dinner (17:00-20:00, to 3.5x), plus Silicon Valley's late night;
- baskets: one brand 70% of the time, otherwise 2-3, weighted by each brand's monthly growth
  counted from its own start day (at least 0.1), from the brands open at that kitchen that day (a
  brand is gone from its end day on); 1-3 distinct items per brand, quantity 1-2;
- service times in minutes, Gaussian with a 0.1 floor: created->started N(2,1), started->finished
  N(10,3), finished->ready N(2,1), ready->pickup N(6,2); the driver arrives (Beta(3,3)) between
  ready and pickup half the time, otherwise between the order and ready, always before pickup;
- customers within 4 miles, on land (coarse shorelines) and on a 1/16-mile street grid; routes are
  street-grid paths of 30-80 points (no OpenStreetMap here); driving at 25 mph, an order with d
  minutes of driving gets max(1, floor(d)) - 1 pings, one a minute, at progress k / max(1, floor(d)).
Events are sorted by time (then `sequence`, the order's lifecycle position) and written in row
groups of 16,384 rows, so a time window can be read from the row-group statistics alone.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
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
DOW = np.array([1.00, 1.05, 1.08, 1.10, 1.25, 1.35, 1.15])  # Monday ... Sunday (2024-01-01 was a Monday)
EVENT_TYPES = {1: "order_created", 2: "gk_started", 3: "gk_finished", 4: "gk_ready", 5: "driver_arrived",
               6: "driver_picked_up", 7: "driver_ping", 8: "delivered"}
STREETS = ["Main St", "Oak Ave", "Pine St", "Maple Ave", "Cedar St", "Elm St", "Market St", "Lake Ave",
           "Park Blvd", "2nd St", "3rd Ave", "Hill St"]


def _bump(weights: np.ndarray, start: int, end: int, peak: float) -> None:
    """Add a sin^2 hump over minutes [start, end) rising from 1x to `peak` x at its middle."""
    x = (np.arange(start, end) - start) / (end - start)
    weights[start:end] += (peak - 1.0) * np.sin(np.pi * x) ** 2


def minute_profile(location_code: str) -> np.ndarray:
    """The original's demand per minute of the day: a flat base (orders come at every hour, night
    included), a lunch hump 11:00-13:30 to 3x and a dinner hump 17:00-20:00 to 3.5x; Silicon Valley
    adds a late-night hump 21:00-24:00 to 2x and a second base unit 00:00-01:00."""
    weights = np.ones(1440)
    _bump(weights, 11 * 60, 13 * 60 + 30, 3.0)
    _bump(weights, 17 * 60, 20 * 60, 3.5)
    if location_code == "sv":
        _bump(weights, 21 * 60, 24 * 60, 2.0)
        weights[:60] += 1.0
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


def baskets(rnd: random.Random, dims: dict, times: np.ndarray, places: np.ndarray) -> list[str]:
    items_by_brand: dict[int, list[dict]] = {}
    for item in dims["items"]:
        items_by_brand.setdefault(item["brand_id"], []).append(item)
    brands = brand_weights(dims)
    days = ((times - EPOCH) // 86400).tolist()
    out = []
    cache: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
    for place, day in zip(places.tolist(), days):
        key = (place, day)
        if key not in cache:
            # growth counts from the brand's own start day; a brand is gone from its end day on
            rows = [(b, max(0.1, (1 + g) ** ((day - start) / 30.0))) for b, start, end, g in brands[place]
                    if start <= day and (end is None or day < end)]
            cache[key] = ([b for b, _ in rows], [w for _, w in rows])
        ids, weights = cache[key]
        wanted = 1 if rnd.random() < 0.7 or len(ids) < 2 else rnd.randint(2, min(3, len(ids)))
        chosen: list[int] = []
        while len(chosen) < wanted:  # weighted, without replacement
            pick = rnd.choices(ids, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        lines = []
        for brand in chosen:
            menu = items_by_brand[brand]
            for item in rnd.sample(menu, rnd.randint(1, min(3, len(menu)))):  # distinct items; qty repeats
                lines.append('{"id":%d,"category_id":%d,"menu_id":%d,"brand_id":%d,"name":%s,"price":%s,"qty":%d}' % (
                    item["id"], item["category_id"], item["menu_id"], item["brand_id"], json.dumps(item["name"]),
                    repr(item["price"]), rnd.randint(1, 2)))
        out.append("[" + ",".join(lines) + "]")
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
    # the original's driver: half the time between ready and pickup, otherwise between the order and
    # ready; always before the pickup, which it does not move
    arrived = np.where(after, ready + share * (pickup - ready), created + share * (ready - created))
    arrived = np.minimum(arrived, pickup - 1)
    return {"started": started, "finished": finished, "ready": ready, "arrived": arrived, "pickup": pickup}


# Water near the kitchens, as coarse shorelines: (code, test) -> True where a point is in water. A
# customer never lives there (the original drew customers from street nodes of OpenStreetMap).
WATER = {
    # Lake Michigan: east of a shoreline that bends west going north of the Loop
    "chicago": lambda lat, lon: lon > -87.613 - 0.5 * np.maximum(lat - 41.89, 0) + 0.15 * np.maximum(41.89 - lat, 0),
    # San Francisco Bay: east of the Embarcadero, and the whole north shore from Fisherman's Wharf
    "sf": lambda lat, lon: (lat > 37.807) | (lon > -122.387 - 1.4 * np.maximum(lat - 37.79, 0)),
    # Elliott Bay and Puget Sound to the west, Lake Washington to the east of Seattle
    "bellevue": lambda lat, lon: (lon < -122.352 - 0.9 * np.maximum(lat - 47.62, 0) + 0.5 * np.maximum(47.60 - lat, 0))
    | (lon > -122.28),
}
STREET_MILES = 1 / 16  # streets every 1/16 mile (about 100 m): customers live on one


def customers(rng: np.random.Generator, dims: dict, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customers within 4 miles of their kitchen, on land, on a street of a 1/16-mile grid."""
    loc = {row["location_id"]: row for row in dims["locations"]}
    lat0 = np.array([loc[int(p)]["lat"] for p in places])
    lon0 = np.array([loc[int(p)]["lon"] for p in places])
    codes = np.array([loc[int(p)]["location_code"] for p in places])
    lat, lon = lat0.copy(), lon0.copy()
    todo = np.ones(places.size, dtype=bool)
    while todo.any():  # redraw the points that fell in water
        n = int(todo.sum())
        radius = RADIUS_MILES * np.sqrt(rng.random(n))
        angle = rng.random(n) * 2 * np.pi
        lat[todo] = lat0[todo] + radius * np.sin(angle) / 69.0
        lon[todo] = lon0[todo] + radius * np.cos(angle) / (69.0 * np.cos(np.radians(lat0[todo])))
        wet = np.zeros(places.size, dtype=bool)
        for code, in_water in WATER.items():
            mine = todo & (codes == code)
            wet[mine] = in_water(lat[mine], lon[mine])
        todo = wet
    # onto the nearest east-west or north-south street, half and half
    step_lat = STREET_MILES / 69.0
    step_lon = STREET_MILES / (69.0 * np.cos(np.radians(lat0)))
    east_west = rng.random(places.size) < 0.5
    lat = np.where(east_west, lat0 + np.round((lat - lat0) / step_lat) * step_lat, lat)
    lon = np.where(east_west, lon, lon0 + np.round((lon - lon0) / step_lon) * step_lon)
    return lat, lon


def grid_route(rnd: random.Random, start: tuple[float, float], end: tuple[float, float]) -> list[tuple[float, float]]:
    """A staircase of north-south and east-west street segments, resampled to 30-80 points."""
    turns = rnd.randint(2, 6)
    lat_cuts = sorted(rnd.random() for _ in range(turns - 1))
    lon_cuts = sorted(rnd.random() for _ in range(turns - 1))
    lat_steps = [b - a for a, b in zip([0.0] + lat_cuts, lat_cuts + [1.0])]
    lon_steps = [b - a for a, b in zip([0.0] + lon_cuts, lon_cuts + [1.0])]
    corners = [start]
    lat, lon = start
    for dlat, dlon in zip(lat_steps, lon_steps):
        lat += dlat * (end[0] - start[0])
        corners.append((lat, lon))
        lon += dlon * (end[1] - start[1])
        corners.append((lat, lon))
    lengths = [abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in zip(corners, corners[1:])]
    total = sum(lengths) or 1.0
    count = max(30, min(80, int(30 + total * 69 * 10)))
    points, segment, covered = [], 0, 0.0
    for k in range(count):
        target = total * k / (count - 1)
        while segment < len(lengths) - 1 and covered + lengths[segment] < target:
            covered += lengths[segment]
            segment += 1
        a, b = corners[segment], corners[segment + 1]
        share = (target - covered) / lengths[segment] if lengths[segment] else 0.0
        share = min(max(share, 0.0), 1.0)
        points.append((a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share))
    return points


def point_at(route: list[tuple[float, float]], cumulative: list[float], distance: float) -> tuple[float, float]:
    index = max(1, min(bisect.bisect_left(cumulative, distance), len(route) - 1))
    span = cumulative[index] - cumulative[index - 1]
    share = (distance - cumulative[index - 1]) / span if span else 0.0
    a, b = route[index - 1], route[index]
    return a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share


def build_events(dims: dict, seed: int = SEED, say=lambda text: None) -> tuple[pa.Table, dict]:
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    created, places = order_times(rng, dims)
    count = created.size
    ids = order_ids(rng, count)
    items_json = baskets(rnd, dims, created, places)
    svc = {k: v.tolist() for k, v in service_times(rng, created.astype(np.float64)).items()}
    cust_lat, cust_lon = (a.tolist() for a in customers(rng, dims, places))
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), size=count)].tolist()
    numbers = rng.integers(1, 9999, size=count).tolist()
    kitchen = {loc["location_id"]: (loc["lat"], loc["lon"]) for loc in dims["locations"]}
    created, places = created.tolist(), places.tolist()

    c = {name: [] for name in ("order_id", "location_id", "event_type_id", "ts_seconds", "sequence", "customer_lat",
                               "customer_lon", "customer_addr", "items_json", "route_json", "ping_lat", "ping_lon",
                               "ping_progress")}
    pings_total = 0
    marks = {count * tenth // 10: tenth * 10 for tenth in range(10)}
    for i in range(count):
        if i in marks:
            say(f"  events: order {i:,} of {count:,} ({marks[i]}%)")
        route = grid_route(rnd, kitchen[places[i]], (cust_lat[i], cust_lon[i]))
        pickup = svc["pickup"][i]
        scale = 69.0 * math.cos(math.radians(route[0][0]))
        cumulative = [0.0]
        for a, b in zip(route, route[1:]):
            cumulative.append(cumulative[-1] + abs(b[0] - a[0]) * 69.0 + abs(b[1] - a[1]) * scale)
        travel = cumulative[-1] / DRIVER_MPH * 3600
        # (ts, type, ping) in the order's lifecycle; `sequence` is this order (the original's), so
        # the driver's arrival, which may come before the food is ready, keeps number 4
        timeline = [(int(created[i]), 1, None), (int(svc["started"][i]), 2, None), (int(svc["finished"][i]), 3, None),
                    (int(svc["ready"][i]), 4, None), (int(svc["arrived"][i]), 5, None), (int(pickup), 6, None)]
        # the original's pings: max(1, whole minutes of driving) slots, a ping at each inner one
        slots = max(1, int(travel // PING_SECONDS))
        for k in range(1, slots):
            progress = k / slots
            timeline.append((int(pickup + PING_SECONDS * k), 7,
                             (progress, point_at(route, cumulative, progress * cumulative[-1]))))
        timeline.append((int(pickup + travel), 8, None))
        pings_total += slots - 1
        route_text = "[" + ",".join("[%.6f,%.6f]" % point for point in route) + "]"
        for sequence, (ts, kind, ping) in enumerate(timeline):
            c["order_id"].append(ids[i])
            c["location_id"].append(places[i])
            c["event_type_id"].append(kind)
            c["ts_seconds"].append(ts)
            c["sequence"].append(sequence)
            located = kind in (1, 8)
            c["customer_lat"].append(cust_lat[i] if located else None)
            c["customer_lon"].append(cust_lon[i] if located else None)
            c["customer_addr"].append(f"{numbers[i]} {streets[i]}" if kind == 1 else None)
            c["items_json"].append(items_json[i] if kind == 1 else None)
            c["route_json"].append(route_text if kind == 6 else None)
            c["ping_lat"].append(ping[1][0] if ping else None)
            c["ping_lon"].append(ping[1][1] if ping else None)
            c["ping_progress"].append(ping[0] * 100 if ping else None)

    types = {"order_id": pa.string(), "location_id": pa.int8(), "event_type_id": pa.int8(), "ts_seconds": pa.int64(),
             "sequence": pa.int8(), "customer_lat": pa.float32(), "customer_lon": pa.float32(),
             "customer_addr": pa.string(), "items_json": pa.string(), "route_json": pa.string(),
             "ping_lat": pa.float32(), "ping_lon": pa.float32(), "ping_progress": pa.float32()}
    table = pa.table({name: pa.array(values, types[name]) for name, values in c.items()})
    by_time = np.lexsort((np.asarray(table["sequence"]), np.asarray(table["ts_seconds"])))
    return table.take(pa.array(by_time)), {"orders": int(count), "pings": int(pings_total)}


def write(out_dir: str, seed: int = SEED, say=lambda text: None) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    dims = dimensions.build(seed)
    for name, rows in dims.items():
        pq.write_table(pa.Table.from_pylist(rows), os.path.join(out_dir, f"{name}.parquet"), compression="zstd")
    say(f"  dimension tables written ({', '.join(dims)})")
    events, stats = build_events(dims, seed, say)
    say(f"  writing events.parquet ({events.num_rows:,} events)")
    pq.write_table(events, os.path.join(out_dir, "events.parquet"), row_group_size=ROW_GROUP, compression="zstd",
                   write_statistics=True)
    counts = {EVENT_TYPES[k]: int(v) for k, v in zip(*np.unique(np.asarray(events["event_type_id"]), return_counts=True))}
    return {"orders": stats["orders"], "events": events.num_rows, "by_type": counts}


TABLES = ("locations", "brands", "brand_locations", "menus", "categories", "items", "events")
STAMP = ".generator"


def generator_hash(seed: int) -> str:
    """What the dataset depends on: this generator, the dimensions, the seed and the libraries."""
    import hashlib

    here = os.path.dirname(os.path.abspath(__file__))
    hasher = hashlib.sha256(f"{seed}|{np.__version__}|{pa.__version__}".encode())
    for name in ("generate.py", "dimensions.py", "dimensions.json"):
        with open(os.path.join(here, name), "rb") as handle:
            hasher.update(handle.read())
    return hasher.hexdigest()


def up_to_date(out_dir: str, seed: int) -> bool:
    try:
        with open(os.path.join(out_dir, STAMP), encoding="utf-8") as handle:
            stamp = handle.read().strip()
    except OSError:
        return False
    return stamp == generator_hash(seed) and all(os.path.exists(os.path.join(out_dir, f"{t}.parquet")) for t in TABLES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--if-changed", action="store_true", help="do nothing when the generator has not changed")
    args = parser.parse_args()
    if args.if_changed and up_to_date(args.out, args.seed):
        print(f"{args.out}: up to date")
        return
    print(f"generating the canonical dataset into {args.out} (about 10 s)", flush=True)
    totals = write(args.out, args.seed, say=lambda text: print(text, flush=True))
    with open(os.path.join(args.out, STAMP), "w", encoding="utf-8") as handle:
        handle.write(generator_hash(args.seed) + "\n")
    print(json.dumps(totals, indent=1))


if __name__ == "__main__":
    main()
