"""Local stand-in for a Databricks workspace (see server.py). Run: python -m tests.workspace_fake --port 0"""

from .server import FakeWorkspace

__all__ = ["FakeWorkspace"]
