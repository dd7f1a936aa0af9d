"""Checks of parameter values that the spec's types cannot express, with what to write instead."""

from __future__ import annotations


def fraction(name: str, text: str, example: str) -> float:
    """A rate between 0 and 1 (job parameters are text)."""
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"parameter {name} must be a fraction between 0 and 1 (e.g. {example}), got {text!r}")
    return rate
