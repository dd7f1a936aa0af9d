"""What menu_data and inspection_data share: the generated documents shipped in the bundle
(`make data` writes them into data/documents/generated/), their upload to a volume through the
Files API, and their metadata."""

from __future__ import annotations

import io
import json
import os


def generated(ctx, folder: str) -> str:
    """The bundle folder of one document set ('menus' or 'inspections'); a clear error when `make
    data` has not written it."""
    path = ctx.bundle_path("data", "documents", "generated", folder)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"no generated documents at {path}: run `make data` (it writes the menu and "
                                "inspection documents into build/data/documents/generated/), then deploy or run again")
    return path


def metadata(folder: str, name: str) -> dict:
    with open(os.path.join(folder, name), encoding="utf-8") as handle:
        return json.load(handle)


def upload(ctx, folder: str, volume_path: str, suffix: str = ".pdf") -> list[str]:
    """Upload every `suffix` file of `folder` into `volume_path` (overwriting), and delete the volume's
    `suffix` files that the set no longer has, so the volume holds exactly the generated documents.
    Returns the uploaded file names. Files live in the volume: cleanup removes them with it."""
    w = ctx.workspace
    names = sorted(n for n in os.listdir(folder) if n.endswith(suffix))
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            w.files.upload(f"{volume_path}/{name}", io.BytesIO(handle.read()), overwrite=True)
    stale = [entry.path for entry in w.files.list_directory_contents(volume_path)
             if not entry.is_directory and entry.path.endswith(suffix) and entry.path.rsplit("/", 1)[-1] not in names]
    for path in stale:
        w.files.delete(path)
    print(f"[{ctx.name}] {len(names)} document(s) in {volume_path}" + (f", {len(stale)} stale removed" if stale else ""))
    return names


def publish(ctx, catalog: str, schema: str, volume: str, folder: str, metadata_file: str) -> dict:
    """What menu_data and inspection_data do first: the generated `folder` ('menus' or
    'inspections'), checked before anything is created; the catalog, schema and volume; its PDFs
    in the volume. Returns the set's metadata."""
    from stage_runtime.ensure import ensure_catalog, ensure_schema, ensure_volume

    local = generated(ctx, folder)
    ensure_catalog(ctx, catalog, comment="Casper's Kitchens demo")
    ensure_schema(ctx, catalog, schema)
    ensure_volume(ctx, catalog, schema, volume)
    upload(ctx, local, f"/Volumes/{catalog}/{schema}/{volume}")
    return metadata(local, metadata_file)


def write_tables(ctx, rows_by_table: dict[str, tuple[list, str]]) -> None:
    """Overwrite each table (full name -> (rows, Spark DDL schema)) when Spark is there."""
    from data.documents import tables

    for full_name, (rows, schema) in rows_by_table.items():
        if ctx.needs_spark(f"load {full_name}"):
            count = tables.write_table(ctx.spark, rows, schema, full_name)
            print(f"[{ctx.name}] {full_name}: {count} rows")
