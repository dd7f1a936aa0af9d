"""The refund agent as an MLflow model, logged from code (mlflow.pyfunc.log_model(python_model=this
file, code_paths=[the agents package], model_config={catalog, llm_endpoint, warehouse_id}))."""

import mlflow

from agents.common.serving import JsonAnswerAgent
from agents.refund.agent import RefundAgent

config = mlflow.models.ModelConfig()
mlflow.models.set_model(JsonAnswerAgent(lambda: RefundAgent(config.get("catalog"), config.get("llm_endpoint"),
                                                            config.get("warehouse_id"))))
