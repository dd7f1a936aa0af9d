"""The statement shape of a generated notebook, to prove values cannot add code."""

from __future__ import annotations

import ast


def notebook_shape(source: str) -> str:
    """The module's AST with every literal blanked. The STAGE record must be a pure literal
    (ast.literal_eval accepts it), and is then blanked whole, since its lists vary in length."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["STAGE"]:
            ast.literal_eval(node.value)
            node.value = ast.Constant(None)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.value = None
    return ast.dump(tree, include_attributes=False)
