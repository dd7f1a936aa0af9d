"""Runtime shipped inside every generated bundle (copied to build/src/stage_runtime/).

Generated notebooks call `notebook.open_stage`, `notebook.run_stage` and `notebook.finish_stage`
(and the cleanup job `notebook.run_cleanup`); stage code only sees the `StageContext` it is given
(`def run(ctx)`) and may use the create-or-update helpers in `ensure` and the bounded waits in
`waits`.
"""
