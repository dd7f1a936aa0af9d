"""The scheduled jobs the stream stages create: one notebook task of the bundle's `jobs/` folder,
every 10 minutes (UTC, unpaused, as the original's), serverless, one run at a time (a run still
working when the next is due makes the next one skip, never overlap)."""

from __future__ import annotations


def every_ten_minutes(ctx, name: str, notebook: str, parameters: dict):
    from databricks.sdk.service import jobs

    return jobs.JobSettings(
        name=name,
        max_concurrent_runs=1,
        tasks=[jobs.Task(task_key=notebook,
                         notebook_task=jobs.NotebookTask(notebook_path=ctx.bundle_path("jobs", notebook),
                                                         base_parameters=parameters))],
        schedule=jobs.CronSchedule(quartz_cron_expression="0 0/10 * * * ?", timezone_id="UTC",
                                   pause_status=jobs.PauseStatus.UNPAUSED),
    )
