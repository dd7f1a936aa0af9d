"""The project's one agent stack (common/) and its agents (refund/, and the complaint and support
agents to come): plain, importable Python, shipped in the bundle as `agents/` and logged with MLflow."""
