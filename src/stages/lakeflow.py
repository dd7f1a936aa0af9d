"""Stage `lakeflow` (task Spark_Declarative_Pipeline).

Creates or updates the serverless Order Items medallion pipeline, `Order Items Medallion Pipeline
(<catalog>)`, over the raw event files, into the schema `lakeflow` (made first, so uc_state holds it). PIPELINE_SCHEDULE_MINUTES = 0 makes it continuous; N > 0
makes it triggered, with a scheduler job `Pipeline Update Scheduler (<catalog>)` that updates it
every N minutes (started once now). Then waits, bounded, for the bronze `all_events` table.
"""

from stage_runtime.ensure import ensure_job, ensure_pipeline, ensure_schema
from stage_runtime.waits import wait_for_table

ALL_EVENTS_TIMEOUT_S = 1200


def run(ctx):
    catalog = ctx.params["CATALOG"]
    schema = ctx.params["SIMULATOR_SCHEMA"]
    volume = ctx.params["EVENTS_VOLUME"]
    text = ctx.params["PIPELINE_SCHEDULE_MINUTES"]
    try:
        minutes = int(text)
    except ValueError:
        raise ValueError(f"parameter PIPELINE_SCHEDULE_MINUTES must be an integer, got {text!r}") from None
    if not 0 <= minutes <= 59:
        raise ValueError(f"parameter PIPELINE_SCHEDULE_MINUTES must be 0 (continuous) or 1-59, got {minutes}")

    # The pipeline would make its schema itself; made here, it is registered, so cleanup knows it is ours.
    ensure_schema(ctx, catalog, "lakeflow")
    pipeline_id = ensure_pipeline(ctx, **pipeline_config(ctx, catalog, schema, volume, continuous=minutes == 0))
    if minutes > 0:
        job_id = ensure_job(ctx, scheduler_job(catalog, pipeline_id, minutes))
        ctx.workspace.jobs.run_now(job_id=job_id)

    if ctx.needs_spark("wait for the all_events table"):  # a local run without Spark has no data plane
        wait_for_table(ctx.workspace, f"{catalog}.lakeflow.all_events", ALL_EVENTS_TIMEOUT_S,
                       hint=f"check pipeline 'Order Items Medallion Pipeline ({catalog})' (id {pipeline_id})")


def pipeline_config(ctx, catalog, schema, volume, continuous):
    from databricks.sdk.service.pipelines import PathPattern, PipelineLibrary

    from caspers.compute import has_data_source

    root = ctx.bundle_path("pipelines", "order_items")
    return {
        "name": f"Order Items Medallion Pipeline ({catalog})",
        "catalog": catalog,
        "schema": "lakeflow",
        "continuous": continuous,
        "serverless": True,
        # What the source reads, and how: Auto Loader over the events volume here; a local
        # spark-pipelines run points the same source at a folder, read as plain `json`.
        "configuration": {"EVENTS_PATH": f"/Volumes/{catalog}/{schema}/{volume}",
                          "EVENTS_FORMAT": "cloudFiles" if has_data_source(ctx.spark, "cloudFiles") else "json"},
        "root_path": root,
        # Only the transformations are pipeline sources; the root folder (helper modules such as
        # order_items_logic.py, the README) is on the import path through root_path.
        "libraries": [PipelineLibrary(glob=PathPattern(include=f"{root}/transformations/**"))],
    }


def scheduler_job(catalog, pipeline_id, minutes):
    from databricks.sdk.service import jobs

    return jobs.JobSettings(
        name=f"Pipeline Update Scheduler ({catalog})",
        max_concurrent_runs=1,
        tasks=[jobs.Task(task_key="update_pipeline", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id))],
        schedule=jobs.CronSchedule(quartz_cron_expression=f"0 0/{minutes} * * * ?", timezone_id="UTC",
                                   pause_status=jobs.PauseStatus.UNPAUSED),
    )
