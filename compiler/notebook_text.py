"""The text of a stage's notebook that comes from its description and its code: the escaping
filters (a comment line, markdown `# MAGIC` lines, a shell word, the code as a Python literal) and
the filling of a notebook's skeleton. Kept apart from render.py (and its YAML, Jinja and graph
imports) so the one-stage rebuild (rebuild.py) fills a notebook without loading any of them.
"""

from __future__ import annotations

import os
import re
import shlex

_NOT_PRINTABLE = re.compile(r"[^\t\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def comment(value) -> str:
    """Text safe inside one `#` comment line: line breaks become spaces, odd characters escaped."""
    text = " ".join(str(value).splitlines()) if value is not None else ""
    return _NOT_PRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def magic(value) -> str:
    """Markdown lines for a `# MAGIC %md` cell: every line stays a `# MAGIC` comment line."""
    lines = str(value).splitlines() or [""]
    return "\n".join(("# MAGIC " + comment(line)).rstrip() for line in lines)


def shell(value) -> str:
    return shlex.quote(str(value))


_LITERAL_ESCAPES = re.compile(r'[\\\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|"""')


_DIRECTIVE = re.compile(r"^#(?= ?(COMMAND|MAGIC|DBTITLE|Databricks notebook source))", re.M)


def source_literal(source: str) -> str:
    """A readable triple-quoted literal whose value is exactly `source`: backslashes, `\"\"\"`,
    carriage returns and control characters are escaped; everything else stays as written.
    Lines Databricks would read as notebook directives (`# COMMAND ----------`, `# MAGIC`) get their
    `#` escaped. The result is checked by evaluating it back; should that ever differ, repr() is used."""
    def escape(match: re.Match) -> str:
        text = match.group()
        if text == '"""':
            return '\\"\\"\\"'
        if text == "\\":
            return "\\\\"
        return "\\x%02x" % ord(text)

    body = _LITERAL_ESCAPES.sub(escape, source)
    # A line Databricks reads as a notebook directive would split the cell: escape its `#`.
    body = _DIRECTIVE.sub(lambda m: "\\x23" + m.group()[1:], body)
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    literal = '"""\\\n' + body + '"""'
    import ast

    try:
        if ast.literal_eval(literal) == source:
            return literal
    except (SyntaxError, ValueError):
        pass
    return repr(source)


def fill_notebook(parts: tuple[str, str, str], description: str, source: str) -> bytes:
    before, middle, after = parts
    return _encode(before + magic(description) + middle + source_literal(source) + after)


def read_source(project_root: str, source: str) -> str:
    """A stage's code as text; a UTF-8 byte order mark is dropped (exec() refuses U+FEFF)."""
    with open(os.path.join(project_root, *source.split("/")), "rb") as handle:
        return handle.read().decode("utf-8-sig")


def _encode(text: str) -> bytes:
    return text.encode("utf-8")
