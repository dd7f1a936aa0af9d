"""Stage `canonical_data` (task Canonical_Data).

Creates the catalog, the simulator schema and its volumes, loads the six dimension tables from
the canonical dataset, then creates (or resets) and starts the replay job that streams the
90-day event set into the events volume, and waits for its first file.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/canonical_data.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    events_volume = ctx.params["EVENTS_VOLUME"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    start_day = ctx.params["START_DAY"]
    speed_multiplier = ctx.params["SPEED_MULTIPLIER"]
    schedule_minutes = ctx.params["SCHEDULE_MINUTES"]
    raise NotImplementedError(
        f"stage canonical_data is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
