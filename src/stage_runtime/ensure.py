"""Idempotent create-or-update helpers, that change only what this deployment created.

Each looks for the resource by name and registers it in uc_state either way: a create is registered
by the tracked client (origin 'created', with the id it returned); a find with ctx.track.

- Kinds that allow duplicate names (jobs, warehouses): the one uc_state shows this deployment
  created is updated; a same-named object of someone else's is never touched, ours is created
  beside it.
- Kinds with unique names that the stage configures (pipelines, apps, serving endpoints): one that
  exists and is not ours is an error (ctx.foreign), never updated.
- Containers the stage only adds to (catalogs, schemas, volumes, registered models, experiments,
  Lakebase instances and catalogs, synced tables): one that exists and is not ours is adopted: used,
  and kept by cleanup.
Registration is an upsert, so rerunning a stage never adds a row. Names should carry the catalog
(`Canonical Data Replay (caspersdev)`), so two catalogs never share a resource.
"""

from __future__ import annotations

from typing import Any

from . import kinds


def ensure_job(ctx, settings) -> int:
    """Create the job named `settings.name` (a jobs.JobSettings), or reset the one this deployment
    created. Returns its job_id."""
    w = ctx.workspace
    existing = [j for j in w.jobs.list(name=settings.name) if j.settings and j.settings.name == settings.name]
    ours = [j.job_id for j in existing if ctx.owns("jobs", str(j.job_id))]
    if ours:
        w.jobs.reset(job_id=ours[0], new_settings=settings)
        ctx.track("jobs", {"job_id": ours[0], "settings": settings.as_dict()})
        return ours[0]
    return w.jobs.create(**_fields(settings)).job_id


def ensure_pipeline(ctx, **config: Any) -> str:
    """Create the pipeline named config["name"], or update the one this deployment created.
    Returns its pipeline_id."""
    w = ctx.workspace
    name = config["name"]
    # Match names client-side: no value is ever spliced into the API's filter expression.
    found = [p for p in w.pipelines.list_pipelines() if p.name == name]
    if found:
        pipeline_id = found[0].pipeline_id
        if not ctx.owns("pipelines", pipeline_id):
            raise ctx.foreign("pipelines", name)
        w.pipelines.update(pipeline_id=pipeline_id, **config)
        ctx.track("pipelines", {"pipeline_id": pipeline_id, "name": name})
        return pipeline_id
    return w.pipelines.create(**config).pipeline_id


def _get_or_create(ctx, kind: str, payload: dict, get, create) -> None:
    """Found: register it (ctx.track). Not found: create it (the tracked client registers it).
    Created meanwhile by a stage running in parallel (both found nothing): adopted like a found one."""
    from databricks.sdk.errors import AlreadyExists, NotFound, ResourceConflict

    try:
        get()
    except NotFound:
        try:
            create()
            return
        except (AlreadyExists, ResourceConflict):  # 409, however the API spells its error code
            get()
    ctx.track(kind, payload)


def ensure_catalog(ctx, name: str, comment: str = "") -> str:
    w = ctx.workspace
    _get_or_create(ctx, "catalogs", {"name": name}, lambda: w.catalogs.get(name),
                   lambda: w.catalogs.create(name=name, comment=comment or None))
    return name


def ensure_schema(ctx, catalog: str, name: str) -> str:
    w = ctx.workspace
    full_name = f"{catalog}.{name}"
    _get_or_create(ctx, "schemas", {"full_name": full_name}, lambda: w.schemas.get(full_name),
                   lambda: w.schemas.create(name=name, catalog_name=catalog))
    return full_name


def ensure_volume(ctx, catalog: str, schema: str, name: str) -> str:
    from databricks.sdk.service.catalog import VolumeType

    w = ctx.workspace
    full_name = f"{catalog}.{schema}.{name}"
    _get_or_create(ctx, "volumes", {"full_name": full_name}, lambda: w.volumes.read(full_name),
                   lambda: w.volumes.create(catalog_name=catalog, schema_name=schema, name=name,
                                            volume_type=VolumeType.MANAGED))
    return full_name


def ensure_warehouse(ctx, name: str, **options: Any) -> str:
    """The warehouse `name` this deployment created, or a new one (a colleague's of the same name is
    left alone). Returns its id."""
    w = ctx.workspace
    for warehouse in w.warehouses.list():
        if warehouse.name == name and ctx.owns("warehouses", warehouse.id):
            ctx.track("warehouses", {"id": warehouse.id, "name": name})
            return warehouse.id
    return w.warehouses.create(name=name, **options).result().id


def ensure_app(ctx, app) -> str:
    """Create the app, or update the one this deployment created (apps.App)."""
    from databricks.sdk.errors import NotFound

    w = ctx.workspace
    try:
        w.apps.get(app.name)
    except NotFound:
        w.apps.create(app=app).result()
        return app.name
    if not ctx.owns("apps", app.name):
        raise ctx.foreign("apps", app.name)
    w.apps.update(name=app.name, app=app)
    ctx.track("apps", {"name": app.name})
    return app.name


def ensure_database_instance(ctx, instance) -> str:
    """The Lakebase instance `instance.name` (a database.DatabaseInstance). It takes minutes to
    start: wait for it with waits.wait_for_database_instance."""
    w = ctx.workspace
    _get_or_create(ctx, "database_instances", {"name": instance.name},
                   lambda: w.database.get_database_instance(instance.name),
                   lambda: w.database.create_database_instance(instance))
    return instance.name


def ensure_database_catalog(ctx, catalog) -> str:
    """The database catalog `catalog.name` (a database.DatabaseCatalog) over a Lakebase database."""
    w = ctx.workspace
    _get_or_create(ctx, "database_catalogs", {"name": catalog.name}, lambda: w.database.get_database_catalog(catalog.name),
                   lambda: w.database.create_database_catalog(catalog))
    return catalog.name


def ensure_synced_table(ctx, table) -> str:
    """The synced table `table.name` (a database.SyncedDatabaseTable). An existing one is kept as
    it is: its source and key cannot change in place."""
    w = ctx.workspace
    _get_or_create(ctx, "synced_tables", {"name": table.name}, lambda: w.database.get_synced_database_table(table.name),
                   lambda: w.database.create_synced_database_table(table))
    return table.name


def ensure_database_role(ctx, instance: str, role) -> str:
    """The Postgres role `role.name` (a database.DatabaseInstanceRole) on a Lakebase instance. A role
    that exists with another membership cannot be changed through the API: that is an error saying
    so, not a silent success."""
    from databricks.sdk.errors import NotFound

    w = ctx.workspace
    try:
        found = w.database.get_database_instance_role(instance_name=instance, name=role.name)
    except NotFound:
        w.database.create_database_instance_role(instance_name=instance, database_instance_role=role)
        return role.name
    if role.membership_role is not None and found.membership_role != role.membership_role:
        raise RuntimeError(f"Postgres role {role.name} on instance {instance} exists without membership "
                           f"{role.membership_role.value}; delete it (Lakebase > Roles) and run the stage again")
    ctx.track("database_roles", f"{instance}/{role.name}")
    return role.name


def ensure_experiment(ctx, name: str) -> str:
    """The MLflow experiment at `name` (a workspace path), as an id. Deleting an experiment on a
    workspace is a soft delete that keeps the name taken, so one deleted by an earlier cleanup is
    restored instead of recreated (which would fail with RESOURCE_ALREADY_EXISTS)."""
    from databricks.sdk.errors import NotFound

    from databricks.sdk.errors import ResourceConflict

    w = ctx.workspace
    try:
        found = w.experiments.get_by_name(experiment_name=name).experiment
    except NotFound:
        found = None
    if found is None:
        try:
            return w.experiments.create_experiment(name=name).experiment_id
        except ResourceConflict:  # made meanwhile by someone else (409): found, so adopted below
            found = w.experiments.get_by_name(experiment_name=name).experiment
    restored = (found.lifecycle_stage or "active") == "deleted"
    if restored:
        if not _made_by_a_tracked_create(ctx, "experiments", found.as_dict()):
            raise ctx.foreign("experiments", name)
        w.experiments.restore_experiment(experiment_id=found.experiment_id)
    ctx.track("experiments", {"experiment_id": found.experiment_id, "name": name}, created=restored)
    return found.experiment_id


def _made_by_a_tracked_create(ctx, kind: str, data: dict) -> bool:
    """A soft-deleted object of ours: it carries a uc_state marker (only a tracked create writes one)
    and the workspace says this principal made it. (Its row went when cleanup deleted it.)"""
    spec = kinds.get(kind)
    found = spec.fields.found(data)
    return bool(spec.marker and spec.marker.read(data)) and found is not None and \
        found.creator is not None and found.creator == ctx._principal()


def ensure_registered_model(ctx, catalog: str, schema: str, name: str, comment: str = "") -> str:
    """The Unity Catalog registered model `catalog.schema.name`, created through the tracked client
    (so uc_state holds it before MLflow adds versions to it, which MLflow's own client would create
    unregistered)."""
    w = ctx.workspace
    full_name = f"{catalog}.{schema}.{name}"
    _get_or_create(ctx, "registered_models", {"full_name": full_name}, lambda: w.registered_models.get(full_name),
                   lambda: w.registered_models.create(catalog_name=catalog, schema_name=schema, name=name,
                                                      comment=comment or None))
    return full_name


def ensure_serving_endpoint(ctx, name: str, served_entities: list) -> bool:
    """Create the serving endpoint `name`, or point it at `served_entities` when it serves
    something else. Returns whether a create or an update was sent (the endpoint then needs time to
    become READY). An endpoint already serving the same entities and versions is left alone."""
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.serving import EndpointCoreConfigInput

    w = ctx.workspace
    try:
        found = w.serving_endpoints.get(name)
    except NotFound:
        w.serving_endpoints.create(name=name, config=EndpointCoreConfigInput(name=name, served_entities=served_entities))
        return True
    if not ctx.owns("serving_endpoints", name):
        raise ctx.foreign("serving_endpoints", name)
    ctx.track("serving_endpoints", {"name": name, "id": found.id})
    wanted = _served(served_entities)
    if found.pending_config is not None:  # an update in progress: the API refuses another one
        if _served(found.pending_config.served_entities) == wanted:
            return True
        raise RuntimeError(f"serving endpoint {name} is being updated to another configuration; wait until the "
                           "update under Serving finishes (or fails), then run the stage again")
    if found.config is not None and _served(found.config.served_entities) == wanted:
        return False
    w.serving_endpoints.update_config(name=name, served_entities=served_entities)
    return True


def _served(entities) -> list[tuple[str, str]]:
    return sorted((e.entity_name or "", str(e.entity_version or "")) for e in entities or [])


def _fields(settings) -> dict:
    """JobSettings -> keyword arguments of jobs.create (same field names)."""
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__
            if getattr(settings, name) is not None}
