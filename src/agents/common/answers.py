"""One-line JSON answers, checked against a small schema: the agent never returns free text."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable, Optional


class InvalidAnswer(ValueError):
    """The model's answer is not one JSON object with exactly the expected fields."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "number" | "string" | "enum" | "boolean" | "amount" ({amount_usd: number, reason: text})
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 1000
    nullable: bool = False  # null allowed (which field must be null when is a rule's business)

    def check(self, value) -> None:
        if value is None and self.nullable:
            return
        if self.kind == "boolean":
            if not isinstance(value, bool):
                raise InvalidAnswer(f"`{self.name}` must be true or false, got {value!r}")
        elif self.kind == "amount":
            if not isinstance(value, dict) or sorted(value) != ["amount_usd", "reason"]:
                raise InvalidAnswer(f"`{self.name}` must be {{\"amount_usd\": <number>, \"reason\": <text>}}")
            Field(f"{self.name}.amount_usd", "number", minimum=0, maximum=self.maximum).check(value["amount_usd"])
            Field(f"{self.name}.reason", "string", max_length=self.max_length).check(value["reason"])
        elif self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InvalidAnswer(f"`{self.name}` must be a number, got {value!r}")
            if self.minimum is not None and value < self.minimum:
                raise InvalidAnswer(f"`{self.name}` must be at least {self.minimum:g}, got {value!r}")
            if self.maximum is not None and value > self.maximum:
                raise InvalidAnswer(f"`{self.name}` must be at most {self.maximum:g}, got {value!r}")
        elif self.kind == "enum":
            if value not in self.choices:
                raise InvalidAnswer(f"`{self.name}` must be one of {', '.join(self.choices)}, got {value!r}")
        elif not isinstance(value, str) or not value.strip() or len(value) > self.max_length:
            raise InvalidAnswer(f"`{self.name}` must be a non-empty text of at most {self.max_length} characters")


Rule = Callable[[dict], Optional[str]]  # a checked answer -> what is wrong with it across fields, or None


def parse_answer(text: str, fields: tuple[Field, ...], rules: tuple[Rule, ...] = ()) -> dict:
    """The answer as a dict, or InvalidAnswer saying what is wrong. Accepts the JSON object alone
    (surrounding whitespace, or one Markdown code fence, which models add); nothing else. `rules`
    check what no single field can (e.g. a credit amount exactly when the decision is a credit)."""
    body = (text or "").strip()
    if body.startswith("```") and body.endswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidAnswer(f"not JSON: {body[:120]!r}") from None
    if not isinstance(data, dict):
        raise InvalidAnswer("not a JSON object")
    expected = [f.name for f in fields]
    if sorted(data) != sorted(expected):
        raise InvalidAnswer(f"fields must be exactly {', '.join(expected)}; got {', '.join(sorted(data)) or 'none'}")
    for field in fields:
        field.check(data[field.name])
    answer = {f.name: data[f.name] for f in fields}
    for rule in rules:
        problem = rule(answer)
        if problem:
            raise InvalidAnswer(problem)
    return answer


def one_line(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(", ", ": "))
