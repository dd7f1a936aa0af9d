"""The apps on localhost: `python -m apps.local refund-manager|support-console` (with `src` on the
path; `make app-local APP=...` does it), over what `make run-local` left in the workspace at
DATABRICKS_HOST (the local stand-in, or a real workspace) and a local PostgreSQL standing in for
Lakebase. See src/apps/README.md.

1. A PostgreSQL server in build/.local/postgres (kept between runs, so decisions stay).
2. The sync, as the synced table would do it, with the streams' own code: for the Refund Manager,
   delivered orders (with their totals) scored by the refund agent's endpoint into
   recommender.pg_recommendations; for the Support Console, the sampled delivered orders' support
   requests (the generator's), each with its facts, reported on by the support agent's endpoint into
   support.support_agent_reports_sync. Each item once; a rerun adds only new ones.
3. The app, served by uvicorn in local mode (`APP_MODE=local`: a request without the platform's
   identity acts as "local user", who is the approver here, and the page says so), with the settings
   its Databricks resources would give it, pointed at the local places.
"""
