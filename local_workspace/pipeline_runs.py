"""Pipeline updates executed: a pipeline's sources run under the open-source Spark Declarative
Pipelines runner (`python -m pyspark.pipelines.cli run`, what `spark-pipelines run` starts) as a
client of the workspace's Spark Connect endpoint, so its tables land in the workspace's catalog
under the pipeline's `catalog`.`schema` (the proxy maps the names: connect_proxy.py).

The runner's spec is made from the pipeline's settings as the Pipelines API stores them: `catalog`
and `schema` (the default catalog and database), `configuration` (Spark conf the sources read),
`libraries[].glob.include` and `root_path` (on the import path, as Databricks puts it). Its
checkpoints go to a folder of the workspace per pipeline, so the next update continues the streams
where this one stopped, as on Databricks. An update ends COMPLETED when the runner says "Run is
COMPLETED", else FAILED with the runner's last lines.

Sources must be files on this machine (a local run's bundle folder); a pipeline whose libraries are
not is reported by `local_sources` and the caller decides (api.py keeps the old scripted update).
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RUN_TIMEOUT_S = 1800
LOG_TAIL = 8000


def local_sources(spec: dict) -> list[str] | None:
    """The glob patterns of a pipeline's sources when every one matches files here, else None."""
    patterns = [lib["glob"]["include"] for lib in spec.get("libraries") or [] if (lib.get("glob") or {}).get("include")]
    if not patterns or len(patterns) != len(spec.get("libraries") or []):
        return None
    return patterns if all(glob.glob(p, recursive=True) for p in patterns) else None


def runner_spec(spec: dict, patterns: list[str], folder: Path, storage: Path) -> Path:
    """Write the runner's spec into `folder`: each source glob is reached through a link, because the
    runner resolves globs relative to its spec file."""
    import yaml

    libraries = []
    for i, pattern in enumerate(patterns):
        fixed, rest = _split_glob(pattern)
        link = folder / f"lib{i}"
        if not link.exists():
            link.symlink_to(fixed, target_is_directory=True)
        libraries.append({"glob": {"include": f"lib{i}/{rest}"}})
    runner = {"name": spec.get("name") or spec.get("id") or "pipeline", "storage": storage.as_uri(),
              "catalog": spec.get("catalog") or "spark_catalog", "database": spec.get("schema") or spec.get("target") or "default",
              "configuration": {str(k): str(v) for k, v in (spec.get("configuration") or {}).items()},
              "libraries": libraries}
    path = folder / "spark-pipeline.yml"
    path.write_text(yaml.safe_dump(runner, sort_keys=True))
    return path


def _split_glob(pattern: str) -> tuple[str, str]:
    """`/a/b/transformations/**` -> ("/a/b/transformations", "**"): the folder before the first wildcard."""
    parts = Path(pattern).parts
    cut = next((i for i, part in enumerate(parts) if any(c in part for c in "*?[")), len(parts) - 1)
    return str(Path(*parts[:cut])), "/".join(parts[cut:])


def run_update(spec: dict, patterns: list[str], remote: str, state_dir: Path, full_refresh: bool,
               started=lambda process: None) -> tuple[bool, str]:
    """Run one update; (completed, the runner's output tail). `started(process)` hears of the runner's
    process, so that the workspace can stop it."""
    storage = state_dir / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pipeline-spec-") as folder:
        path = runner_spec(spec, patterns, Path(folder), storage)
        root = spec.get("root_path")
        python_path = [p for p in (root, os.environ.get("PYTHONPATH")) if p]
        env = dict(os.environ, SPARK_REMOTE=remote, PYTHONPATH=os.pathsep.join(python_path))
        command = [sys.executable, "-m", "pyspark.pipelines.cli", "run", "--spec", str(path)]
        if full_refresh:
            command.append("--full-refresh-all")
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   cwd=folder, stdin=subprocess.DEVNULL, start_new_session=True)
        started(process)
        try:
            output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return False, f"the update ran longer than {RUN_TIMEOUT_S} s and was stopped"
    return process.returncode == 0 and "Run is COMPLETED" in output, output[-LOG_TAIL:]
