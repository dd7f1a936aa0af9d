"""Runtime shipped inside every generated bundle (build/src/stage_runtime/)."""
