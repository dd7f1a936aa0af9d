"""An agent served by Model Serving: an MLflow 3 ResponsesAgent whose answer is the agent's one line
of JSON. The agent itself is built on first use, inside the serving container (or wherever the model
is loaded), from the model's config."""

from __future__ import annotations

import uuid
from typing import Any, Callable

from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


def last_user_text(request: ResponsesAgentRequest) -> str:
    for item in reversed(request.input):
        data = item.model_dump() if hasattr(item, "model_dump") else dict(item)
        if data.get("role") == "user":
            content = data.get("content")
            if isinstance(content, list):
                return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
            return str(content or "")
    return ""


class JsonAnswerAgent(ResponsesAgent):
    """`respond(text) -> str` of the wrapped agent, as a Responses API answer."""

    def __init__(self, make_agent: Callable[[], Any]):
        self._make_agent = make_agent
        self._agent = None

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        if self._agent is None:
            self._agent = self._make_agent()
        text = self._agent.respond(last_user_text(request))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id=f"msg_{uuid.uuid4().hex}")])
