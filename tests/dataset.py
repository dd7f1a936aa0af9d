"""The generated canonical dataset, shared by the tests: generated once per generator version into
the system temp folder (atomically, so parallel test workers never see half a dataset)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import ROOT

GENERATOR = ROOT / "src" / "data" / "canonical" / "generate.py"


def _hash() -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in ("generate.py", "dimensions.py"):
        digest.update((GENERATOR.parent / name).read_bytes())
    return digest.hexdigest()[:16]


def generate(out: Path, seed: int = 42) -> str:
    """Run the generator as `make data` does; returns what it printed (its progress)."""
    return subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--seed", str(seed)], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def shared_dataset() -> Path:
    final = Path(tempfile.gettempdir()) / f"caspers-canonical-{_hash()}"
    if (final / "events.parquet").exists():
        return final
    staging = Path(tempfile.mkdtemp(prefix="caspers-canonical-"))
    generate(staging)
    try:
        os.rename(staging, final)
    except OSError:  # another worker got there first
        shutil.rmtree(staging, ignore_errors=True)
    return final
