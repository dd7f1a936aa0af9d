"""Diagnostics: the one record type every pass returns, and its rendering.

A pass never prints and never raises for bad input: it returns a list of `Diagnostic`s. The CLI
sorts them and renders them once, like a compiler: `spec/stages/x.yaml:4:3: error: ... [E400]`.
Every code is listed in `CODES` and documented in docs/errors.md (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"

# code -> (severity, short title). The long explanation, example and fix live in docs/errors.md.
CODES: dict[str, tuple[str, str]] = {
    # load
    "E100": (ERROR, "spec file too large"),
    "E101": (ERROR, "YAML syntax error"),
    "E102": (ERROR, "tab used for indentation"),
    "E103": (ERROR, "duplicate key"),
    "E104": (ERROR, "YAML anchors, aliases and merge keys are not supported"),
    "E105": (ERROR, "empty spec file"),
    "E106": (ERROR, "spec file is not UTF-8 text"),
    "E107": (ERROR, "invalid spec file name"),
    "E108": (ERROR, "missing spec file or folder"),
    "E109": (ERROR, "mapping key is not a string"),
    "E110": (ERROR, "YAML nesting too deep"),
    "W111": (WARNING, "file ignored in a spec folder"),
    # validate (JSON Schema)
    "E200": (ERROR, "unknown key"),
    "E201": (ERROR, "wrong type"),
    "E202": (ERROR, "missing required key"),
    "E203": (ERROR, "invalid value"),
    # resolve
    "E300": (ERROR, "unknown target"),
    "E301": (ERROR, "no default target"),
    "E302": (ERROR, "more than one default target"),
    "E303": (ERROR, "unknown parameter"),
    "W304": (WARNING, "parameter override has no effect"),
    "E305": (ERROR, "invalid selector"),
    "W306": (WARNING, "target has no stages"),
    "E307": (ERROR, "duplicate task key"),
    "E308": (ERROR, "no targets"),
    "E309": (ERROR, "runtime contract names collide"),
    "E310": (ERROR, "task key is another stage's name"),
    "E311": (ERROR, "name outside the platform's naming rules"),
    "E312": (ERROR, "derived names collide"),
    # graph
    "E400": (ERROR, "unknown dependency"),
    "E401": (ERROR, "stage depends on itself"),
    "E402": (ERROR, "dependency cycle"),
    "E403": (ERROR, "dependency missing from target"),
    # stage sources and parameters
    "E500": (ERROR, "missing stage source"),
    "E501": (ERROR, "stage source has a Python syntax error"),
    "E502": (ERROR, "stage source has no `def run(ctx)`"),
    "E503": (ERROR, "parameter read but not declared"),
    "W504": (WARNING, "parameter declared but not read"),
    "E505": (ERROR, "parameter has no value in a target"),
    "E506": (ERROR, "stage builds its own WorkspaceClient"),
    "E507": (ERROR, "stage reads widgets directly"),
    "E508": (ERROR, "stage writes the state store directly"),
    "E509": (ERROR, "parameter name is not a literal"),
    "E510": (ERROR, "stage source path escapes the project"),
    "E511": (ERROR, "asset folder missing"),
    # what deploys (sync rules)
    "E512": (ERROR, "bundle file needed at run time would not be uploaded"),
    "E513": (ERROR, "bundle path used at run time is not in the bundle"),
    "W514": (WARNING, "bundle path cannot be checked"),
    "E515": (ERROR, "stage named like a package it would shadow"),
    "E516": (ERROR, "asset entry that cannot be shipped"),
    "E517": (ERROR, "invalid sync pattern"),
    "E520": (ERROR, "stage code creates what uc_state cannot track"),
    "E521": (ERROR, "imported module bypasses the tracked client"),
    # data flow
    "E600": (ERROR, "consumer does not depend on its producer"),
    "W601": (WARNING, "object written by unordered stages"),
    "E602": (ERROR, "unknown placeholder in object pattern"),
    "E603": (ERROR, "consumer of an asynchronous object does not wait for it"),
    "W604": (WARNING, "waiting for an object nothing writes asynchronously"),
    # Jinja in spec strings
    "E700": (ERROR, "Jinja syntax error"),
    "E701": (ERROR, "Jinja undefined variable"),
    "E702": (ERROR, "Jinja expression rejected by the sandbox"),
    "E703": (ERROR, "Jinja evaluation error"),
    "E704": (ERROR, "Jinja evaluation over budget"),
    # output
    "E800": (ERROR, "generated job is invalid"),
    # write
    "E900": (ERROR, "cannot write the build"),
    "E901": (ERROR, "invalid output folder"),
    "E902": (ERROR, "damaged build state"),
}


@dataclass(frozen=True)
class Diagnostic:
    """A located message. `line`/`col` are 1-based; 0 means "the whole file". `related` are the
    other places the message is about (the first of two duplicates, the other default target),
    so one problem is reported once, naming every place."""

    severity: str
    code: str
    message: str
    file: str = ""
    line: int = 0
    col: int = 0
    hint: str = ""
    related: tuple[tuple[str, int, int], ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "Diagnostic":
        """From dataclasses.asdict (the build manifest, JSON output): lists back to tuples."""
        return cls(**{**data, "related": tuple(tuple(r) for r in data.get("related", ()))})

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.code, self.message, self.hint, self.related)

    def location(self) -> str:
        if not self.file:
            return "<spec>"
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file

    def render(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message} [{self.code}]"
        for file, line, col in self.related:
            text += f"\n  also: {file}:{line}:{col or 1}" if line else f"\n  also: {file}"
        if self.hint:
            text += "\n  hint: " + self.hint.replace("\n", "\n        ")
        return text


def printable(text: str) -> str:
    """Text any UTF-8 output can carry: a file name's undecodable byte (a lone surrogate from the
    file system) is shown as `\\xff`, so printing or writing JSON never fails on it."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")


def diag(code: str, message: str, where: "Where | None" = None, hint: str = "",
         related: "tuple[Where, ...] | list[Where]" = ()) -> Diagnostic:
    """Make a diagnostic whose severity comes from the code registry."""
    severity = CODES[code][0]
    message, hint = printable(message), printable(hint)
    others = tuple(sorted((printable(w.file), w.line, w.col) for w in related))
    if where is None:
        return Diagnostic(severity, code, message, hint=hint, related=others)
    return Diagnostic(severity, code, message, printable(where.file), where.line, where.col, hint, others)


@dataclass(frozen=True)
class Where:
    """A source location: display path plus 1-based line and column (0 = unknown)."""

    file: str
    line: int = 0
    col: int = 0


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)


def sort_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order, duplicates removed (two passes may find the same thing)."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def to_json(diagnostics: Iterable[Diagnostic]) -> list[dict]:
    import dataclasses

    return [dict(dataclasses.asdict(d), related=[{"file": f, "line": l, "col": c} for f, l, c in d.related])
            for d in sort_unique(diagnostics)]


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    items = sort_unique(diagnostics)
    errors = sum(d.severity == ERROR for d in items)
    warnings = len(items) - errors
    lines = [d.render() for d in items]
    if items:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint suggesting the closest candidate, or "" when nothing is close."""
    import difflib

    pool = sorted(set(candidates))
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f"did you mean `{lowered[word.lower()]}`?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""
