"""The tool-calling loop: ask an OpenAI-compatible chat endpoint, run the tools it asks for, give
it their results, until it answers; then check the answer, asking again (bounded) when it is not
what the schema says."""

from __future__ import annotations

import json
from typing import Any

from .answers import Field, InvalidAnswer, Rule, parse_answer
from .tools import SqlFunctionTool, StatementRunner, ToolError


class AgentError(RuntimeError):
    pass


def converse(client: Any, model: str, messages: list[dict], tools: dict[str, SqlFunctionTool],
             runner: StatementRunner, max_steps: int = 8) -> str:
    """Run the conversation to its final text. Each step is one chat completion; tool calls are
    answered with the tool's rows (or its error), never with an exception the model cannot see."""
    for _ in range(max_steps):
        completion = client.chat.completions.create(
            model=model, messages=messages, temperature=0,
            tools=[tool.spec() for tool in tools.values()] or None)
        message = completion.choices[0].message
        calls = list(message.tool_calls or [])
        if not calls:
            return message.content or ""
        messages.append({"role": "assistant", "content": message.content or "",
                         "tool_calls": [{"id": c.id, "type": "function",
                                         "function": {"name": c.function.name, "arguments": c.function.arguments}}
                                        for c in calls]})
        for call in calls:
            messages.append({"role": "tool", "tool_call_id": call.id,
                             "content": _run_tool(tools, runner, call.function.name, call.function.arguments)})
    raise AgentError(f"no answer after {max_steps} steps")


def _run_tool(tools: dict[str, SqlFunctionTool], runner: StatementRunner, name: str, arguments: str) -> str:
    tool = tools.get(name)
    if tool is None:
        return json.dumps({"error": f"no tool named {name}; tools: {', '.join(tools)}"})
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        return json.dumps({"error": "arguments are not JSON"})
    try:
        return tool.run(runner, parsed if isinstance(parsed, dict) else {})
    except ToolError as err:
        return json.dumps({"error": str(err)})


def answer(client: Any, model: str, system: str, question: str, tools: dict[str, SqlFunctionTool],
           runner: StatementRunner, fields: tuple[Field, ...], attempts: int = 3,
           rules: tuple[Rule, ...] = ()) -> dict:
    """A checked answer, or AgentError after `attempts` answers that were not valid."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
    problem = ""
    for _ in range(attempts):
        text = converse(client, model, messages, tools, runner)
        try:
            return parse_answer(text, fields, rules)
        except InvalidAnswer as err:
            problem = str(err)
            messages += [{"role": "assistant", "content": text},
                         {"role": "user", "content": f"That answer is invalid ({problem}). Answer again with "
                                                     "exactly one line of JSON and nothing else."}]
    raise AgentError(f"no valid answer after {attempts} tries: {problem}")
