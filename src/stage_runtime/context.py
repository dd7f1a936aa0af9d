"""The stage context: everything a stage's `run(ctx)` may use."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Iterator

PARAMS_ENV = "STAGE_PARAMS_JSON"  # local runs pass parameters here instead of widgets


class ParameterError(KeyError):
    """A stage asked for a parameter it did not declare, or the job did not supply one."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class Params(Mapping):
    """Read-only job parameters: exactly the ones the stage declares in its spec."""

    def __init__(self, stage: str, values: dict[str, str]):
        self._stage = stage
        self._values = dict(values)

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            declared = ", ".join(sorted(self._values)) or "none"
            raise ParameterError(
                f"stage {self._stage} read parameter {name!r}, which it does not declare "
                f"(declared: {declared}); add it to `parameters` in spec/stages/{self._stage}.yaml"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params({self._values!r})"


def read_parameters(stage: dict, dbutils: Any) -> dict[str, str]:
    """Declared parameters from notebook widgets (on Databricks) or STAGE_PARAMS_JSON (locally)."""
    names = stage["parameters"]
    if dbutils is None:
        supplied = json.loads(os.environ.get(PARAMS_ENV) or "{}")
        missing = [n for n in names if n not in supplied]
        if missing:
            raise ParameterError(
                f"stage {stage['name']}: no value for parameter(s) {', '.join(missing)}; "
                f"set them in {PARAMS_ENV} (make run-local does this from the target's defaults)"
            )
        return {n: str(supplied[n]) for n in names}
    values = {}
    for name in names:
        try:
            values[name] = dbutils.widgets.get(name)
        except Exception as err:  # the widget API raises a Py4J error for unknown widgets
            raise ParameterError(
                f"stage {stage['name']}: the job did not pass parameter {name!r} ({err}); "
                "deploy the bundle again so the job's parameters match the spec"
            ) from None
    return values


class StageContext:
    """What `run(ctx)` receives. Resources created through `ctx.workspace` are registered in
    uc_state automatically; see README, 'Runtime'."""

    def __init__(self, stage: dict, params: Params, spark: Any = None, dbutils: Any = None):
        self.stage = stage
        self.name = stage["name"]
        self.params = params
        self.spark = spark
        self.dbutils = dbutils

    def __repr__(self) -> str:
        return f"StageContext({self.name!r})"
