"""Read a generated bundle back: databricks.yml with its includes merged, as DAB would."""

from __future__ import annotations

from pathlib import Path

import yaml


def merge(base, extra):
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return extra


def load_bundle(build: Path) -> dict:
    root = yaml.safe_load((build / "databricks.yml").read_text(encoding="utf-8"))
    merged = {k: v for k, v in root.items() if k != "include"}
    for include in root.get("include", []):
        merged = merge(merged, yaml.safe_load((build / include).read_text(encoding="utf-8")))
    return merged


def target_job(bundle: dict, target: str, key: str = "caspers") -> dict:
    return bundle["targets"][target]["resources"]["jobs"][key]


def tasks_by_key(job: dict) -> dict[str, dict]:
    return {task["task_key"]: task for task in job["tasks"]}
