"""What every agent of the project shares: a tool-calling loop over an OpenAI-compatible chat
endpoint (loop.py), Unity Catalog SQL functions as tools (tools.py), one-line JSON answers checked
against a schema (answers.py), and the MLflow ResponsesAgent that serves an agent (serving.py)."""
