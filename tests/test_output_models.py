"""Every job the compiler emits loads into databricks-bundles' typed models: the generated
structure and the schema-constrained settings never need the output check's model pass."""

from __future__ import annotations

import pytest
from databricks.bundles.jobs import Job

from .bundle_io import load_bundle
from .conftest import ROOT, run_compiler
from .golden import case_dirs, materialise


def _projects():
    yield "caspers", lambda tmp: ROOT
    for case in case_dirs("good"):
        yield f"good/{case.name}", lambda tmp, case=case: materialise(case, tmp / "p")


@pytest.mark.parametrize("name, make", list(_projects()), ids=[n for n, _ in _projects()])
def test_every_emitted_job_loads_into_the_typed_models(name, make, tmp_path):
    project = make(tmp_path)
    out = tmp_path / "build"
    assert run_compiler("build", "--out", str(out), cwd=project).code == 0
    bundle = load_bundle(out)
    count = 0
    for target, body in bundle["targets"].items():
        for key, job in body["resources"]["jobs"].items():
            Job.from_dict(job)  # raises on an unknown field or a bad enum
            count += 1
    assert count == 2 * len(bundle["targets"])


def test_free_form_settings_go_through_the_models(example):
    report = example / "spec" / "stages" / "report.yaml"
    report.write_text(report.read_text().replace("max_retries: 0", "max_retries: 0\n    health:\n      rules:\n"
                                                 "        - {metric: RUN_DURATION_SECONDS, op: GREATER_THAN, value: 60}"))
    assert run_compiler("build", cwd=example).code == 0
    report.write_text(report.read_text().replace("RUN_DURATION_SECONDS", "RUN_DURATION"))
    run = run_compiler("build", cwd=example)
    assert run.code == 1 and "E800" in run.err and "RUN_DURATION" in run.err
