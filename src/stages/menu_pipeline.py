"""Stage `menu_pipeline` (task Menu_Pipeline).

Creates or updates the batch pipeline `Menu Document Processing Pipeline (<catalog>)` (its name
carries the catalog, so a second catalog gets its own pipeline instead of repointing the first),
over the menu and inspection tables and PDFs, starts one update and waits for it, bounded. An
update already running (a rerun while the last one works) is waited for instead of refused.
"""

from stage_runtime.ensure import ensure_pipeline, ensure_schema
from stage_runtime.waits import wait_for_pipeline_update

UPDATE_TIMEOUT_S = 1800
ACTIVE = ("CREATED", "QUEUED", "INITIALIZING", "SETTING_UP_TABLES", "WAITING_FOR_RESOURCES", "RESETTING", "RUNNING",
          "STOPPING")


def run(ctx):
    catalog = ctx.params["CATALOG"]
    config = pipeline_config(ctx, catalog)
    ensure_schema(ctx, catalog, config["schema"])  # registered, so cleanup knows the pipeline's schema is ours
    pipeline_id = ensure_pipeline(ctx, **config)
    w = ctx.workspace
    latest = (w.pipelines.get(pipeline_id).latest_updates or [None])[0]
    if latest is not None and latest.state is not None and latest.state.value in ACTIVE:
        update_id = latest.update_id
        print(f"[{ctx.name}] update {update_id} is already running; waiting for it")
    else:
        update_id = w.pipelines.start_update(pipeline_id=pipeline_id).update_id
    wait_for_pipeline_update(w, pipeline_id, update_id, UPDATE_TIMEOUT_S,
                             hint=f"check pipeline {config['name']!r} (id {pipeline_id})")


def pipeline_config(ctx, catalog):
    from databricks.sdk.service.pipelines import PathPattern, PipelineLibrary

    from caspers.compute import has_function

    root = ctx.bundle_path("pipelines", "menu_documents")
    return {
        "name": f"Menu Document Processing Pipeline ({catalog})",
        "catalog": catalog,
        "schema": "menu_documents",
        "continuous": False,
        "serverless": True,
        # ai_parse_document where the compute has it (Databricks); else the pipeline's local parser
        "configuration": {"MENU_CATALOG": catalog,
                          **({} if has_function(ctx.spark, "ai_parse_document") else {"DOCUMENT_PARSER": "pypdf"})},
        "root_path": root,
        # Only the transformations are sources; the logic module is importable through root_path.
        "libraries": [PipelineLibrary(glob=PathPattern(include=f"{root}/transformations/**"))],
    }
