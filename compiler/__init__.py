"""Spec compiler for Databricks bundles: spec/ in, a deployable bundle in build/ out.

The library entry points are `compiler.pipeline.compile_spec` (check only) and
`compiler.pipeline.build` (check and write). Heavy dependencies are imported inside the passes
that need them, so importing this package is cheap.
"""

__version__ = "0.1.0"
