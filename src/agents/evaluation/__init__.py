"""The agents' labelled evaluation sets (cases/*.yaml, with their provenance) and `make eval`, which
runs them through MLflow's GenAI evaluation against a model a user names (run.py)."""
