"""The support agent as an MLflow model, logged from code (see agents/common/publish.py)."""

import mlflow

from agents.common.serving import JsonAnswerAgent
from agents.support.agent import SupportAgent

config = mlflow.models.ModelConfig()
mlflow.models.set_model(JsonAnswerAgent(lambda: SupportAgent(config.get("catalog"), config.get("llm_endpoint"),
                                                             config.get("warehouse_id"))))
