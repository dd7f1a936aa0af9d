"""Local stand-in for a Databricks workspace (see README.md). Run: python -m local_workspace --port 0"""

from .server import LocalWorkspace

__all__ = ["LocalWorkspace"]
