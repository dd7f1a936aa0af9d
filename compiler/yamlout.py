"""A small, fast block-style YAML emitter for the generated bundle.

The bundle's data is only mappings, lists, strings, integers and booleans, so a dedicated emitter
is both faster than PyYAML's and easier to make byte-stable. Every string goes through `scalar`:
it is written plain only when it matches a conservative pattern and cannot be read back as
anything but that same string; otherwise it is a JSON string, which is a valid YAML double-quoted
scalar, with the few characters YAML treats specially (NEL, LS, PS, BOM, C1 controls) escaped too.
Tests load every output back with PyYAML and compare.
"""

from __future__ import annotations

import json
import re

# Plain scalars: start with a letter, `_`, `/`, `$` or a `.` not followed by a digit (so never a
# number, date or indicator),
# continue with a safe set (no `:`, `#`, quotes at the start, or flow indicators at the start),
# single spaces only between words, no trailing space.
_PLAIN = re.compile(r"^(?:[A-Za-z_/$]|\.[A-Za-z_/.])[A-Za-z0-9_./${}()'@+=*-]*(?: [A-Za-z0-9_./${}()'@+=*-]+)*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", ".nan"}
_YAML_SPECIAL = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]")


def scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot emit {type(value).__name__} as YAML")
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_SPECIAL.sub(lambda m: "\\u%04x" % ord(m.group()), quoted)


def dump(value, indent: int = 0) -> str:
    """Emit `value` as block YAML (a trailing newline included)."""
    lines: list[str] = []
    _emit(value, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(value, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            lines.append(pad + "{}")
            return
        for key, item in value.items():
            _emit_entry(pad + scalar(key) + ":", item, indent, lines)
    elif isinstance(value, list):
        if not value:
            lines.append(pad + "[]")
            return
        for item in value:
            _emit_item(item, indent, lines)
    else:
        lines.append(pad + scalar(value))


def _emit_entry(head: str, item, indent: int, lines: list[str]) -> None:
    if isinstance(item, (dict, list)) and item:
        lines.append(head)
        _emit(item, indent + 2, lines)
    elif isinstance(item, dict):
        lines.append(head + " {}")
    elif isinstance(item, list):
        lines.append(head + " []")
    else:
        lines.append(head + " " + scalar(item))


def _emit_item(item, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(item, dict) and item:
        first = True
        for key, sub in item.items():
            head = (pad + "- " if first else pad + "  ") + scalar(key) + ":"
            _emit_entry(head, sub, indent + 2, lines)
            first = False
    elif isinstance(item, list) and item:
        lines.append(pad + "-")
        _emit(item, indent + 2, lines)
    elif isinstance(item, dict):
        lines.append(pad + "- {}")
    elif isinstance(item, list):
        lines.append(pad + "- []")
    else:
        lines.append(pad + "- " + scalar(item))
