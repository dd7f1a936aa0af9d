"""Jinja in spec strings, rendered at compile time in a sandbox.

Only strings that contain `{{`, `{%` or `{#` are templates; everything else (including DAB's own
`${var.catalog}` interpolations) passes through verbatim, and Jinja is not even imported.
The environment is jinja2's ImmutableSandboxedEnvironment with StrictUndefined: Python internals
(`''.__class__`) are refused, an undefined name is an error, and `*`/`**` are bounded so a
template cannot allocate gigabytes; each value's evaluation has a budget of steps and time (E704),
since nested loops, each within the sandbox's range limit, could otherwise run for hours.

Contexts (documented in docs/spec.md, "Jinja in the spec"):
  spec/bundle.yaml (parameter defaults, job name/description) and spec/targets/*.yaml:
      bundle, variables, target
  spec/stages/*.yaml `description` and `task`: bundle, variables, stage
  spec/stages/*.yaml `targets.<t>` settings: bundle, variables, stage, target
"""

from __future__ import annotations

import re
from typing import Any

from .diagnostics import Diagnostic, Where, did_you_mean, diag

MAX_RENDERED = 100_000  # characters in one rendered value
MAX_REPEAT = 100_000  # largest result of `*` on sequences, and of `**`
MAX_STEPS = 200_000  # template lines executed while rendering one value (loops count each pass)
MAX_SECONDS = 2.0  # and wall time, for steps that are expensive on their own


class OverBudget(Exception):
    pass


class _Budget:
    """Counts the lines a template executes (a trace function on template frames only) and stops
    it when it runs over MAX_STEPS or MAX_SECONDS: the sandbox bounds each `range`, not their nesting."""

    def __init__(self, steps: int = MAX_STEPS, seconds: float = MAX_SECONDS):
        import time

        self.left = steps
        self.clock = time.perf_counter
        self.deadline = self.clock() + seconds
        self.reason = ""

    def on_call(self, frame, event, arg):
        return self.on_line if frame.f_code.co_filename == "<template>" else None

    def on_line(self, frame, event, arg):
        if event == "line":
            self.left -= 1
            if self.left < 0:
                self.reason = f"{MAX_STEPS:,} template steps"
                raise OverBudget(self.reason)
            if self.clock() > self.deadline:
                self.reason = f"{MAX_SECONDS:g} s"
                raise OverBudget(self.reason)
        return self.on_line

    def run(self, action):
        import sys

        previous = sys.gettrace()
        sys.settrace(self.on_call)
        try:
            return action()
        finally:
            sys.settrace(previous)


def has_jinja(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


class SpecJinja:
    """Compiles each template string once; renders it against plain-dict contexts."""

    def __init__(self) -> None:
        self._env = None
        self._compiled: dict[str, Any] = {}

    def env(self):
        if self._env is None:
            self._env = _make_env()
        return self._env

    def check_syntax(self, text: str, where: Where) -> Diagnostic | None:
        import jinja2

        if text in self._compiled:
            return None
        try:
            self._compiled[text] = self.env().from_string(text)
        except jinja2.TemplateSyntaxError as err:
            return diag("E700", f"Jinja syntax error: {err.message}{_line_of(err.lineno, text)}", where,
                        "fix the expression; to write `{{` literally use {{ '{{' }} or {% raw %}...{% endraw %}")
        return None

    def render(self, text: str, context: dict, where: Where) -> tuple[str, Diagnostic | None]:
        """Render `text` if it is a template; otherwise return it untouched."""
        if not has_jinja(text):
            return text, None
        problem = self.check_syntax(text, where)
        if problem:
            return text, problem
        import jinja2
        from jinja2.sandbox import SecurityError

        budget = _Budget()
        try:
            result = budget.run(lambda: self._compiled[text].render(**context))
        except OverBudget:
            return text, diag("E704", f"Jinja evaluation ran over its budget ({budget.reason})", where,
                              "spec values are short strings; remove the long or nested loops from the template")
        except SecurityError as err:
            return text, diag("E702", f"Jinja expression rejected by the sandbox: {err}", where,
                              "templates may read the documented context (bundle, variables, target, "
                              "stage), not Python internals")
        except jinja2.UndefinedError as err:
            return text, diag("E701", f"Jinja undefined variable: {err.message}", where,
                              _undefined_hint(str(err.message), context))
        except Exception as err:  # any other failure inside the template is the template's fault
            return text, diag("E703", f"Jinja evaluation failed: {type(err).__name__}: {err}", where,
                              "check the expression's operands")
        if len(result) > MAX_RENDERED:
            return text, diag("E703", f"Jinja result is {len(result)} characters, over the {MAX_RENDERED} limit",
                              where, "spec values are short; simplify the template")
        return result, None

    def render_tree(self, value: Any, context: dict, spec_file, path: tuple, out: list[Diagnostic]) -> Any:
        """Render every string inside a settings tree (dicts and lists), collecting diagnostics."""
        if isinstance(value, str):
            rendered, problem = self.render(value, context, spec_file.where(path))
            if problem:
                out.append(problem)
            return rendered
        if isinstance(value, dict):
            return {k: self.render_tree(v, context, spec_file, path + (k,), out) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render_tree(v, context, spec_file, path + (i,), out) for i, v in enumerate(value)]
        return value


def _make_env():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context, operator, left, right):
            if operator == "**":
                if isinstance(right, int) and abs(right) > 64 or isinstance(left, int) and abs(left) > MAX_REPEAT:
                    raise SecurityError("`**` with operands this large is not allowed")
                return left**right
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    if len(seq) * max(count, 0) > MAX_REPEAT:
                        raise SecurityError(f"repeating a sequence to over {MAX_REPEAT} items is not allowed")
            return left * right

    return BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _line_of(lineno: int | None, text: str) -> str:
    if lineno and "\n" in text:
        return f" (line {lineno} of the value)"
    return ""


def _undefined_hint(message: str, context: dict) -> str:
    names = sorted(context)
    available = ", ".join(_dotted_names(context))
    quoted = re.findall(r"'([^']*)'", message)
    word = quoted[-1] if quoted else ""
    candidates = names if "is undefined" in message else [n.rsplit(".", 1)[-1] for n in _dotted_names(context)]
    close = did_you_mean(word, candidates) if word else ""
    if close:
        return f"{close} This value can use: {available}"
    return f"this value can use: {available} (see docs/spec.md, 'Jinja in the spec')"


def _dotted_names(context: dict, prefix: str = "") -> list[str]:
    found = []
    for key in sorted(context):
        value = context[key]
        if isinstance(value, dict) and value:
            found += _dotted_names(value, f"{prefix}{key}.")
        else:
            found.append(f"{prefix}{key}")
    return found
