"""The operator workflow around the compiler: local runs, deploy, verify, status, run, hot fix,
destroy and scaffolding. Each module is a library of plain functions raising `OpsError` with a
reason and a fix; `commands.py` is their command line. See compiler/README.md."""
