"""Stage `raw_data` (task Raw_Data).

Legacy bootstrap: loads the old dimension set and starts one live order-flow generator job per
city config. Superseded by canonical_data; kept in no target.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/raw_data.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    events_volume = ctx.params["EVENTS_VOLUME"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    locations = ctx.params["LOCATIONS"]
    raise NotImplementedError(
        f"stage raw_data is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
