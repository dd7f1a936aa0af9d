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


class Block:
    """Already emitted YAML lines for a list item (at indent 0), reused verbatim: the same stage's
    task appears in several targets and is emitted once."""

    __slots__ = ("lines",)

    def __init__(self, item) -> None:
        self.lines: list[str] = []
        _Emitter(self.lines).item(item, 0, "")


def dump(value, indent: int = 0) -> str:
    """Emit `value` as block YAML (a trailing newline included)."""
    lines: list[str] = []
    _Emitter(lines).emit(value, indent)
    return "\n".join(lines) + "\n"


class _Emitter:
    """One dump: scalars are memoised (task keys, paths and settings repeat across targets) and
    dispatch is on exact types, which keeps a 10,000-task bundle fast."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.memo: dict = {}

    def scalar(self, value) -> str:
        if type(value) is str:
            text = self.memo.get(value)
            if text is None:
                text = self.memo[value] = scalar(value)
            return text
        return scalar(value)

    def emit(self, value, indent: int) -> None:
        pad = " " * indent
        kind = type(value)
        if kind is dict:
            if not value:
                self.lines.append(pad + "{}")
            for key, item in value.items():
                self.entry(pad + self.scalar(key) + ":", item, indent)
        elif kind is list:
            if not value:
                self.lines.append(pad + "[]")
            for item in value:
                self.item(item, indent, pad)
        else:
            self.lines.append(pad + self.scalar(value))

    def entry(self, head: str, item, indent: int) -> None:
        kind = type(item)
        if kind is dict or kind is list:
            if item:
                self.lines.append(head)
                self.emit(item, indent + 2)
            else:
                self.lines.append(head + (" {}" if kind is dict else " []"))
        else:
            self.lines.append(head + " " + self.scalar(item))

    def item(self, item, indent: int, pad: str) -> None:
        kind = type(item)
        if kind is Block:
            self.lines.extend([pad + line for line in item.lines])
        elif kind is dict and item:
            first = True
            for key, sub in item.items():
                self.entry((pad + "- " if first else pad + "  ") + self.scalar(key) + ":", sub, indent + 2)
                first = False
        elif kind is list and item:
            self.lines.append(pad + "-")
            self.emit(item, indent + 2)
        elif kind is dict:
            self.lines.append(pad + "- {}")
        elif kind is list:
            self.lines.append(pad + "- []")
        else:
            self.lines.append(pad + "- " + self.scalar(item))
