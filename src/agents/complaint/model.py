"""The complaint agent as an MLflow model, logged from code (see agents/common/publish.py)."""

import mlflow

from agents.common.serving import JsonAnswerAgent
from agents.complaint.agent import ComplaintAgent

config = mlflow.models.ModelConfig()
mlflow.models.set_model(JsonAnswerAgent(lambda: ComplaintAgent(config.get("catalog"), config.get("llm_endpoint"),
                                                               config.get("warehouse_id"))))
