"""Synced tables with rows (local_workspace/lakebase_sync.py): with a PostgreSQL server configured,
a synced table created through the SDK is a Postgres table of its instance's database holding the
source's rows, and a CONTINUOUS one follows the source's Change Data Feed (inserts, updates,
deletes), as the platform's managed pipeline does. The rules from the Databricks docs ("Sync data
from Unity Catalog tables to a database instance"): TRIGGERED and CONTINUOUS need Change Data Feed
on the source, and key columns are never null. Expected rows are the ones the test writes."""

from __future__ import annotations

import time

import pytest

from .conftest import local_postgres
from .fake_env import fake  # noqa: F401  (fixture)

CDF = {"delta.enableChangeDataFeed": "true"}


@pytest.fixture(scope="module")
def postgres():
    yield from local_postgres()


@pytest.fixture
def lakebase(fake, postgres):  # noqa: F811
    """A workspace whose Lakebase instance `inst` is a database of the test's Postgres server, and a
    catalog `cat` with schema `app` for the synced tables' pipelines."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service.database import DatabaseInstance

    fake.store.config.update(lakebase_postgres={"host": "127.0.0.1", "port": postgres.port, "user": "caspers"},
                             synced_interval_s=0.2, instance_ready_after=1)
    w = WorkspaceClient()
    w.catalogs.create(name="cat")
    w.schemas.create(name="app", catalog_name="cat")
    w.database.create_database_instance(DatabaseInstance(name="inst", capacity="CU_1"))
    w.database.get_database_instance("inst")  # AVAILABLE
    yield w
    w.database.delete_database_instance("inst", purge=True)


def _source(fake, name: str, rows: list[dict], cdf: bool = True):  # noqa: F811
    """A Delta table written with delta-rs where the workspace's compute keeps them, known to its catalog."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from local_workspace.compute import delta_root

    path = delta_root().joinpath(*name.lower().split("."))
    write_deltalake(str(path), pa.Table.from_pylist(rows), mode="overwrite", configuration=CDF if cdf else None)
    fake.store.put("tables", name, {"full_name": name, "table_type": "MANAGED", "data_source_format": "DELTA"})
    return str(path)


def _synced(w, name: str, source: str, key: str, policy: str = "CONTINUOUS"):
    from databricks.sdk.service.database import (NewPipelineSpec, SyncedDatabaseTable, SyncedTableSchedulingPolicy,
                                                 SyncedTableSpec)

    return w.database.create_synced_database_table(SyncedDatabaseTable(
        name=name, database_instance_name="inst", logical_database_name="shop",
        spec=SyncedTableSpec(source_table_full_name=source, primary_key_columns=[key],
                             scheduling_policy=SyncedTableSchedulingPolicy(policy),
                             create_database_objects_if_missing=True,
                             new_pipeline_spec=NewPipelineSpec(storage_catalog="cat", storage_schema="app"))))


def _rows(postgres, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="inst__shop") as conn:
        return conn.execute(query).fetchall()


def _until(check, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            found = check()
        except Exception:  # noqa: BLE001 - the table is not there yet
            found = None
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_continuous_synced_table_takes_the_snapshot_then_follows_the_change_feed(lakebase, fake, postgres):  # noqa: F811
    from deltalake import DeltaTable, write_deltalake
    import pyarrow as pa

    path = _source(fake, "cat.app.orders", [{"order_id": "o1", "total amount": 12.5, "items": 2},
                                            {"order_id": "o2", "total amount": 7.0, "items": 1}])
    _synced(lakebase, "cat.app.orders_sync", "cat.app.orders", "order_id")
    query = 'SELECT order_id, "total amount", items FROM app.orders_sync ORDER BY order_id'
    assert _until(lambda: _rows(postgres, query)) == [("o1", 12.5, 2), ("o2", 7.0, 1)]

    write_deltalake(path, pa.Table.from_pylist([{"order_id": "o3", "total amount": 3.25, "items": 5}]), mode="append")
    DeltaTable(path).update(predicate="order_id = 'o1'", updates={"items": "9"})
    DeltaTable(path).delete("order_id = 'o2'")
    expected = [("o1", 12.5, 9), ("o3", 3.25, 5)]
    assert _until(lambda: _rows(postgres, query) == expected and expected) == expected
    status = lakebase.database.get_synced_database_table("cat.app.orders_sync").data_synchronization_status
    assert status.detailed_state.value == "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE"
    assert status.message == f"synced to version {DeltaTable(path).version()}"
    # the key is the table's primary key in Postgres, so an app can look rows up by it
    assert _rows(postgres, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                           "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'app.orders_sync'::regclass "
                           "AND i.indisprimary") == [("order_id",)]


def test_continuous_sync_needs_the_change_data_feed_and_keys_are_never_null(lakebase, fake, postgres):  # noqa: F811
    _source(fake, "cat.app.plain", [{"id": 1, "v": "a"}], cdf=False)
    _synced(lakebase, "cat.app.plain_sync", "cat.app.plain", "id")
    _source(fake, "cat.app.holes", [{"id": 1, "v": "a"}, {"id": None, "v": "b"}])
    _synced(lakebase, "cat.app.holes_sync", "cat.app.holes", "id")

    def state(name):
        status = lakebase.database.get_synced_database_table(name).data_synchronization_status
        return status if status.detailed_state.value == "SYNCED_TABLE_OFFLINE_FAILED" else None

    assert "does not have Change Data Feed enabled" in _until(lambda: state("cat.app.plain_sync")).message
    assert "null primary key" in _until(lambda: state("cat.app.holes_sync")).message
    # a snapshot is copied whole or not at all: the failed one left no half-made table behind
    assert _rows(postgres, "SELECT to_regclass('app.holes_sync')::text") == [(None,)]


def test_a_snapshot_table_is_copied_once_and_deleting_the_instance_drops_its_databases(lakebase, fake, postgres):  # noqa: F811
    import psycopg
    import pyarrow as pa
    from deltalake import write_deltalake

    path = _source(fake, "cat.app.menu", [{"item": "soup", "price": 4}], cdf=False)
    _synced(lakebase, "cat.app.menu_sync", "cat.app.menu", "item", policy="SNAPSHOT")
    assert _until(lambda: _rows(postgres, "SELECT item, price FROM app.menu_sync")) == [("soup", 4)]
    write_deltalake(path, pa.Table.from_pylist([{"item": "bread", "price": 2}]), mode="append")
    time.sleep(1)  # five rounds of the sync loop: a snapshot table does not follow
    assert _rows(postgres, "SELECT item, price FROM app.menu_sync") == [("soup", 4)]

    lakebase.database.delete_synced_database_table("cat.app.menu_sync")
    lakebase.database.delete_database_instance("inst", purge=True)
    with psycopg.connect(host="127.0.0.1", port=postgres.port, user="caspers", dbname="postgres") as conn:
        assert conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'inst%'").fetchall() == []
    from databricks.sdk.service.database import DatabaseInstance

    lakebase.database.create_database_instance(DatabaseInstance(name="inst", capacity="CU_1"))  # for the fixture
