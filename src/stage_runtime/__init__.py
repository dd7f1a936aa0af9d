"""Runtime shipped inside every generated bundle (copied to build/src/stage_runtime/).

Generated notebooks call `notebook.open_stage`, `notebook.run_stage` and `notebook.finish_stage`;
stage code only sees the `StageContext` it is given (`def run(ctx)`).
"""

from .context import ParameterError, Params, StageContext

__all__ = ["ParameterError", "Params", "StageContext"]
