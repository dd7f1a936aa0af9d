"""Runs one notebook task, as a job's task process (runs.py starts it):

    python -m local_workspace.notebook_task NOTEBOOK_FILE PARAMETERS_JSON RESULT_JSON

The notebook's source (the .py "source" format: `# MAGIC` lines and cell separators are comments)
executes as one module, with the notebook's folder first on the import path and as the working
directory (as on Databricks), and the globals a notebook has there:
- `dbutils`: `widgets.get/text/getAll` over the task's parameters, `notebook.exit(value)`;
- `spark`: a Spark Connect session when SPARK_REMOTE is set, else None (a notebook that needs Spark
  then fails at its first use, which is what a run without an engine should report).

RESULT_JSON receives {"result": <exit value>} or {"error": ..., "error_trace": ...}; the exit status
is 0 on success, 1 when the notebook raised."""

from __future__ import annotations

import json
import os
import sys
import traceback


NICENESS = 5


class InputWidgetNotDefined(Exception):
    """What dbutils raises on Databricks for a widget no parameter defines."""


class NotebookExit(BaseException):  # not an Exception: a notebook's `except Exception` must not swallow it
    def __init__(self, value: str):
        super().__init__(value)
        self.value = value


class Widgets:
    def __init__(self, values: dict[str, str]):
        self._values = dict(values)

    def get(self, name: str) -> str:
        if name not in self._values:
            raise InputWidgetNotDefined(f"No input widget named {name} is defined")
        return self._values[name]

    def text(self, name: str, defaultValue: str = "", label: str | None = None) -> None:  # noqa: N803 - dbutils' names
        self._values.setdefault(name, str(defaultValue))

    def getAll(self) -> dict[str, str]:  # noqa: N802 - dbutils' name
        return dict(self._values)


class Notebook:
    def exit(self, value) -> None:
        raise NotebookExit(str(value))


class DBUtils:
    def __init__(self, parameters: dict[str, str]):
        self.widgets = Widgets(parameters)
        self.notebook = Notebook()


def spark_session():
    remote = os.environ.get("SPARK_REMOTE")
    if not remote:
        return None
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(remote).getOrCreate()


def run(notebook: str, parameters: dict[str, str]) -> dict:
    """Execute the notebook; its outcome as RESULT_JSON holds it."""
    folder = os.path.dirname(os.path.abspath(notebook))
    os.chdir(folder)
    sys.path.insert(0, folder)
    with open(notebook, encoding="utf-8") as handle:
        code = compile(handle.read(), notebook, "exec")
    scope = {"__name__": "__main__", "__file__": notebook, "dbutils": DBUtils(parameters)}
    try:
        scope["spark"] = spark_session()
        exec(code, scope)  # noqa: S102 - running the notebook is this module's purpose
    except NotebookExit as done:
        return {"result": done.value}
    except Exception as error:  # noqa: BLE001 - any error of the notebook is the task's failure
        trace = traceback.format_exc()
        print(trace, file=sys.stderr, flush=True)
        return {"error": f"{type(error).__name__}: {error}" + _hint(error, scope), "error_trace": trace}
    return {"result": None}


def _hint(error: Exception, scope: dict) -> str:
    """What most likely went wrong when a notebook used `spark` on a workspace without an engine."""
    if scope.get("spark") is None and isinstance(error, AttributeError) and "'NoneType'" in str(error):
        return (" (spark is None here: the local workspace gives notebooks a Spark session only when "
                "SPARK_REMOTE is set)")
    return ""


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m local_workspace.notebook_task NOTEBOOK_FILE PARAMETERS_JSON RESULT_JSON",
              file=sys.stderr)
        return 2
    notebook, parameters_file, result_file = argv
    # A task shares the machine with the workspace and the stages waiting on it (a replay catching up
    # weeks of events keeps a core busy): it yields to them.
    os.nice(NICENESS)
    with open(parameters_file, encoding="utf-8") as handle:
        parameters = json.load(handle)
    outcome = run(notebook, parameters)
    sys.stdout.flush(), sys.stderr.flush()
    with open(result_file, "w", encoding="utf-8") as handle:
        json.dump(outcome, handle)
    return 1 if "error" in outcome else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
