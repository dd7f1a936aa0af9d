"""Stage `canonical_data` (task Canonical_Data).

Creates the catalog, the simulator schema and its `events` and `misc` volumes, loads the six
dimension tables from the canonical dataset shipped in the bundle, then creates (or resets) the
replay job `Canonical Data Replay (<catalog>)`, scheduled every SCHEDULE_MINUTES, starts it once,
and waits (bounded) for its first event file, because the pipeline's Auto Loader infers its schema
from files that already exist.

Everything is created through ctx.workspace and the ensure helpers, so it is registered in uc_state
whether it was created now or found from an earlier run.
"""

from stage_runtime.ensure import ensure_catalog, ensure_job, ensure_schema, ensure_volume
from stage_runtime.waits import wait_for_first_file

DIMENSIONS = ("brands", "locations", "menus", "categories", "items", "brand_locations")
FIRST_FILE_TIMEOUT_S = 300
DATASET_DAYS = 90


def run(ctx):
    catalog = ctx.params["CATALOG"]
    schema = ctx.params["SIMULATOR_SCHEMA"]
    volume = ctx.params["EVENTS_VOLUME"]
    start_day = _int(ctx.params["START_DAY"], "START_DAY", 0, DATASET_DAYS - 1)
    speed = _float(ctx.params["SPEED_MULTIPLIER"], "SPEED_MULTIPLIER")
    minutes = _int(ctx.params["SCHEDULE_MINUTES"], "SCHEDULE_MINUTES", 1, 59)

    ensure_catalog(ctx, catalog, comment="Casper's Kitchens demo")
    ensure_schema(ctx, catalog, schema)
    ensure_volume(ctx, catalog, schema, volume)
    ensure_volume(ctx, catalog, schema, "misc")

    if ctx.needs_spark("load the six dimension tables from the canonical dataset"):
        load_dimensions(ctx, catalog, schema)

    job_id = ensure_job(ctx, replay_job(ctx, catalog, schema, volume, start_day, speed, minutes))
    run_id = ctx.workspace.jobs.run_now(job_id=job_id).run_id

    folder = f"/Volumes/{catalog}/{schema}/{volume}"
    # A local run without Spark has no data plane to wait for (the replay feeds the pipeline's Spark)
    if ctx.needs_spark("wait for the first event file"):
        wait_for_first_file(ctx.workspace, folder, FIRST_FILE_TIMEOUT_S, run_id=run_id,
                            hint=f"check the runs of job 'Canonical Data Replay ({catalog})' (id {job_id})")


def replay_job(ctx, catalog, schema, volume, start_day, speed, minutes):
    from databricks.sdk.service import jobs

    return jobs.JobSettings(
        name=f"Canonical Data Replay ({catalog})",
        max_concurrent_runs=1,
        tasks=[jobs.Task(
            task_key="canonical_data_replay",
            notebook_task=jobs.NotebookTask(
                notebook_path=ctx.bundle_path("data", "canonical", "replay"),
                base_parameters={"CATALOG": catalog, "SCHEMA": schema, "VOLUME": volume,
                                 "START_DAY": str(start_day), "SPEED_MULTIPLIER": repr(speed)},
            ),
        )],
        schedule=jobs.CronSchedule(quartz_cron_expression=f"0 0/{minutes} * * * ?", timezone_id="UTC",
                                   pause_status=jobs.PauseStatus.UNPAUSED),
    )


def load_dimensions(ctx, catalog, schema):
    import pandas as pd

    for table in DIMENSIONS:
        frame = pd.read_parquet(ctx.bundle_path("data", "canonical", "canonical_dataset", f"{table}.parquet"))
        name = ".".join(f"`{part.replace('`', '``')}`" for part in (catalog, schema, table))
        ctx.spark.createDataFrame(frame).write.mode("overwrite").option("overwriteSchema", "true").saveAsTable(name)


def _int(text, name, low, high):
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"parameter {name} must be an integer, got {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"parameter {name} must be between {low} and {high}, got {value}")
    return value


def _float(text, name):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"parameter {name} must be a number, got {text!r}") from None
    if value <= 0:
        raise ValueError(f"parameter {name} must be positive, got {value}")
    return value
