"""Unity Catalog SQL table functions as agent tools, run through the SQL Statement Execution API of
a warehouse, with the argument bound as a parameter (never spliced into the SQL)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

MAX_ROWS = 50  # rows a tool shows the model
MAX_CHARS = 6000


class ToolError(RuntimeError):
    pass


@dataclass(frozen=True)
class SqlFunctionTool:
    name: str
    description: str
    argument: str  # the one parameter the model fills in
    argument_description: str
    query: str  # SELECT * FROM <function>(:arg)

    def spec(self) -> dict:
        """The tool as the OpenAI chat API describes tools."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description,
            "parameters": {"type": "object", "required": [self.argument], "additionalProperties": False,
                           "properties": {self.argument: {"type": "string",
                                                          "description": self.argument_description}}}}}

    def run(self, runner: "StatementRunner", arguments: dict) -> str:
        value = arguments.get(self.argument)
        if not isinstance(value, str) or not value.strip():
            return json.dumps({"error": f"{self.name} needs `{self.argument}` (a string)"})
        return shown(runner.rows(self.query, {"arg": value.strip()}))


def shown(rows: list[dict]) -> str:
    """What the model sees of a tool's rows: valid JSON always, the leading rows that fit in
    MAX_ROWS and MAX_CHARS, then {"more_rows": n} saying how many were left out (cutting the text
    mid-row would leave the model, and any parser, half a row)."""
    count = min(len(rows), MAX_ROWS)
    while True:
        tail = [{"more_rows": len(rows) - count}] if count < len(rows) else []
        text = json.dumps(rows[:count] + tail, default=str, ensure_ascii=False)
        if len(text) <= MAX_CHARS or count == 0:
            return text
        count -= 1


class StatementRunner:
    """Runs one parameterised statement on a SQL warehouse and returns its rows as dicts (through the
    one statement helper, sql_statements: polled while running, every chunk read)."""

    def __init__(self, workspace: Any, warehouse_id: str, timeout_s: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.w, self.warehouse_id, self.timeout_s, self._sleep = workspace, warehouse_id, timeout_s, sleep

    def rows(self, statement: str, parameters: dict[str, str]) -> list[dict]:
        import sql_statements

        try:
            return sql_statements.rows(self.w, self.warehouse_id, statement, parameters, self.timeout_s,
                                       sleep=self._sleep)
        except sql_statements.StatementFailed as err:
            raise ToolError(str(err)) from None


def sql_tools(described: dict[str, tuple[str, str, str]], query: Callable[[str], str]) -> dict[str, SqlFunctionTool]:
    """{function name: (what it does, its argument, what the argument is)} -> the tools, each running
    `query(name)` (its `SELECT * FROM <function>(:arg)`)."""
    return {name: SqlFunctionTool(name, text, arg, arg_text, query(name))
            for name, (text, arg, arg_text) in described.items()}


class ToolAgent:
    """What every agent is made of: the workspace's clients (its own credentials), a statement runner
    on its warehouse, and its tools (`make_tools(catalog)`, which a subclass defines)."""

    def __init__(self, catalog: str, llm_endpoint: str, warehouse_id: str, workspace: Any = None, client: Any = None):
        from . import clients

        self.catalog, self.llm_endpoint = catalog, llm_endpoint
        self.workspace = workspace or clients.workspace()
        self.client = client or clients.openai_client(self.workspace)
        self.runner = StatementRunner(self.workspace, warehouse_id)
        self.tools = self.make_tools(catalog)

    @staticmethod
    def make_tools(catalog: str) -> dict[str, SqlFunctionTool]:
        raise NotImplementedError
