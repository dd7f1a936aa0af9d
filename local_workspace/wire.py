"""The SDK's own types as the local workspace's wire format.

A request body is decoded with the type the platform parses it into, so unknown fields and unknown
enum values are dropped as the backend drops them (a misspelt `max_concurent_runs` is not stored, and
`jobs/get` does not echo it); an answer is encoded with the type the SDK reads it into, so what the
API does not return (and the local workspace's own bookkeeping, `_`-prefixed) is never sent. The
Databricks CLI's test server does the same with the Go SDK's types (libs/testserver/jobs.go:
`json.Unmarshal(req.Body, &jobs.CreateJob{})`, then `jobs.JobSettings`). Each route names its types
(api.py, `route(..., request=..., response=...)`).
"""

from __future__ import annotations

from typing import Any, Callable

Convert = Callable[[Any], Any]


def model(cls, keep: tuple[str, ...] = (), **fields: Convert) -> Convert:
    """Through `cls.from_dict(...).as_dict()`. `keep`: request fields the type lacks but the API takes
    (query-like flags in the body); `fields`: fields decoded with a type of their own instead."""
    def convert(data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = cls.from_dict({k: v for k, v in data.items() if k not in fields}).as_dict()
        out.update({k: data[k] for k in keep if k in data})
        out.update({k: decode(data[k]) for k, decode in fields.items() if data.get(k) is not None})
        return out

    convert.__qualname__ = f"model({cls.__name__})"
    return convert


def listed(convert: Convert) -> Convert:
    """A list of objects, each through `convert`."""
    return lambda data: [convert(item) for item in data] if isinstance(data, list) else data


def wrapped(key: str, convert: Convert) -> Convert:
    """An answer whose object sits under `key` ({"experiment": {...}})."""
    return lambda data: {**data, key: convert(data[key])} if isinstance(data, dict) and key in data else data


def keys(*names: str, **fields: Convert) -> Convert:
    """A body with exactly these keys (a request type the SDK no longer has as a class), some of them
    decoded with types of their own."""
    def convert(data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {k: (fields[k](v) if k in fields and v is not None else v) for k, v in data.items()
                if k in names or k in fields}

    return convert
