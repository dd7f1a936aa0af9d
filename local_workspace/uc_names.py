"""Unity Catalog's three-level names on a local Spark, which has two.

A workspace's tables are `catalog.schema.table`; open-source Spark's session catalog holds databases
of tables, views and SQL functions, and no catalog plugin shipped with pyspark maps a third level
onto it. So each Unity Catalog schema is one Spark database, named here and only here:

    catalog.schema  ->  <prefix>_<catalog>__<schema>     (lower case, as both compare names)

`prefix` belongs to one local workspace, so two workspaces in one process (tests) never share a
table. Spark allows only letters, digits and `_` in a database name: a catalog or schema named
otherwise, or with `__` in it (which would make two names meet), is refused with the reason.

The names reach Spark in three forms, each rewritten by one function: an identifier (a DataFrame's
`saveAsTable("c.s.t")`, a Spark Connect plan's table name), SQL text (`SELECT * FROM c.s.t`,
`` `c`.`s`.`t` ``, `CREATE SCHEMA c.s`, `IDENTIFIER('c.s.t')`), and a bound parameter whose value is
a name (`IDENTIFIER(:table)`). Only names whose first part is a catalog the workspace knows are
rewritten; anything else reaches Spark as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[a-z0-9_]+")
# one name part: `quoted` (a doubled backtick inside) or a plain identifier
_PART = r"(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)"
# catalog.schema at a word boundary, not preceded by another part (a.b.c.d is not ours to read)
_TWO = re.compile(rf"(?<![\w`.])({_PART})[ \t]*\.[ \t]*({_PART})")


class NameError_(ValueError):
    pass


def unquote(part: str) -> str:
    return part[1:-1].replace("``", "`") if part.startswith("`") else part


def split(name: str) -> list[str] | None:
    """The parts of a dotted name (each plain or `quoted`), or None if it is not one."""
    parts = re.findall(rf"({_PART})(?:\s*\.\s*|$)", name.strip())
    joined = ".".join(parts)
    return [unquote(p) for p in parts] if parts and len(re.sub(r"\s", "", joined)) == len(re.sub(r"\s", "", name)) else None


class Names:
    """The mapping of one workspace: `known()` gives the catalogs it holds (read at each call, so a
    catalog created a moment ago counts); `named(db, catalog, schema)`, if given, hears of every
    database a name is mapped to (the workspace makes it exist)."""

    def __init__(self, prefix: str, known: Callable[[], Iterable[str]],
                 named: Callable[[str, str, str], None] | None = None):
        self.prefix = prefix
        self._known = known
        self._named = named

    def catalogs(self) -> set[str]:
        return {c.lower() for c in self._known()}

    def database(self, catalog: str, schema: str) -> str:
        """The Spark database of a Unity Catalog schema."""
        catalog, schema = catalog.lower(), schema.lower()
        for kind, part in (("catalog", catalog), ("schema", schema)):
            if not _WORD.fullmatch(part) or "__" in part or part.startswith("_") or part.endswith("_"):
                raise NameError_(f"{kind} {part!r}: the local workspace's Spark holds only names of letters, "
                                 "digits and single underscores inside them")
        database = f"{self.prefix}_{catalog}__{schema}"
        if self._named is not None:
            self._named(database, catalog, schema)
        return database

    def table(self, catalog: str, schema: str, name: str) -> str:
        return f"`{self.database(catalog, schema)}`.`{name.replace('`', '``')}`"

    # the three forms ----------------------------------------------------------------------------
    def identifier(self, name: str) -> str:
        """`c.s.t` of a known catalog -> `db`.`t`; `c.s` -> `db`; any other name unchanged."""
        parts = split(name)
        if not parts or len(parts) not in (2, 3) or parts[0].lower() not in self.catalogs():
            return name
        if len(parts) == 2:
            return f"`{self.database(*parts)}`"
        return self.table(*parts)

    def sql(self, text: str) -> str:
        """Every `catalog.schema` of a known catalog in SQL text replaced by its database (a
        three-part name then reads `db`.table). Inside a string literal too, so that
        IDENTIFIER('c.s.t') names the same table."""
        known = self.catalogs()
        if not known:
            return text

        def one(match: re.Match) -> str:
            catalog, schema = unquote(match.group(1)), unquote(match.group(2))
            if catalog.lower() not in known:
                return match.group(0)
            return f"`{self.database(catalog, schema)}`"

        return _TWO.sub(one, text)

    def argument(self, value: str) -> str:
        """A bound parameter's value: rewritten only when it is, whole, a name of a known catalog."""
        return self.identifier(value) if split(value) else value


def names_a_table(sql: str, parameter: str) -> bool:
    """Whether the statement uses the named parameter as a name, `IDENTIFIER(:parameter)`; any
    other parameter is a value and reaches Spark as it was bound."""
    return re.search(rf"IDENTIFIER\s*\(\s*:{re.escape(parameter)}\s*\)", sql, flags=re.I) is not None
