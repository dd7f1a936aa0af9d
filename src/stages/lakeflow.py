"""Stage `lakeflow` (task Spark_Declarative_Pipeline).

Creates or updates the serverless Order Items medallion pipeline over the raw event files
(continuous, or triggered by a scheduler job when PIPELINE_SCHEDULE_MINUTES > 0), then waits,
bounded, for the bronze all_events table.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/lakeflow.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    events_volume = ctx.params["EVENTS_VOLUME"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    pipeline_schedule_minutes = ctx.params["PIPELINE_SCHEDULE_MINUTES"]
    raise NotImplementedError(
        f"stage lakeflow is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
