"""Agent Bricks through the SDK's services (2.1): Knowledge Assistants and Supervisor Agents found
by display name and updated on every run, with their children (knowledge sources, tools) brought in
line by name, and a bounded wait until they serve.

The service names an assistant's serving endpoint itself (`endpoint_name` is output only), so the
endpoint is read from the assistant, never chosen by a parameter. Knowledge sources and tools live
inside their assistant and go with it; uc_state holds the assistant (`knowledge-assistants/<id>`),
which is what cleanup deletes.
"""

from __future__ import annotations

from stage_runtime.waits import wait_for_endpoint, wait_until

READY_TIMEOUT_S = 1800


def find_knowledge_assistant(w, display_name: str):
    return next((ka for ka in w.knowledge_assistants.list_knowledge_assistants() if ka.display_name == display_name),
                None)


def find_supervisor(w, display_name: str):
    return next((s for s in w.supervisor_agents.list_supervisor_agents() if s.display_name == display_name), None)


def ensure_knowledge_assistant(ctx, display_name: str, description: str, instructions: str, volume_path: str,
                               source_name: str, source_description: str):
    """The assistant over the files of `volume_path`, created or updated; returns it once ACTIVE."""
    from databricks.sdk.common.types.fieldmask import FieldMask
    from databricks.sdk.service.knowledgeassistants import FilesSpec, KnowledgeAssistant, KnowledgeSource

    w = ctx.workspace
    wanted = KnowledgeAssistant(display_name=display_name, description=description, instructions=instructions)
    found = find_knowledge_assistant(w, display_name)
    if found is None:
        assistant = w.knowledge_assistants.create_knowledge_assistant(wanted)
    else:
        if not ctx.owns("knowledge_assistants", found.name):
            raise ctx.foreign("knowledge_assistants", display_name)
        assistant = w.knowledge_assistants.update_knowledge_assistant(
            found.name, wanted, FieldMask(["description", "instructions"]))
        ctx.track("knowledge_assistants", {"tile_id": found.name, "display_name": display_name})
    source = KnowledgeSource(display_name=source_name, description=source_description, source_type="files",
                             files=FilesSpec(path=volume_path))
    existing = [s for s in w.knowledge_assistants.list_knowledge_sources(assistant.name) if s.display_name == source_name]
    if existing:
        w.knowledge_assistants.update_knowledge_source(existing[0].name, source, FieldMask(["description"]))
        w.knowledge_assistants.sync_knowledge_sources(assistant.name)  # pick up files added since the last run
    else:
        w.knowledge_assistants.create_knowledge_source(assistant.name, source)
    return wait_for_knowledge_assistant(w, assistant.name, display_name)


def wait_for_knowledge_assistant(w, name: str, display_name: str, timeout_s: float = READY_TIMEOUT_S, **waits):
    """Return the assistant once ACTIVE; at once with an error when it FAILED."""
    def check():
        assistant = w.knowledge_assistants.get_knowledge_assistant(name)
        state = assistant.state.value if assistant.state else ""
        if state == "FAILED":
            raise RuntimeError(f"knowledge assistant {display_name} FAILED: {assistant.error_info or 'no detail'}; "
                               "open it under Agents in the workspace, fix the cause and run the stage again")
        return assistant if state == "ACTIVE" and assistant.endpoint_name else None

    return wait_until(check, f"knowledge assistant {display_name} to be ACTIVE", timeout_s, 5.0,
                      hint="indexing the documents takes minutes; see the assistant under Agents", max_poll_s=30.0,
                      **waits)


def ensure_supervisor(ctx, display_name: str, description: str, instructions: str, tools: dict):
    """The supervisor with exactly `tools` (tool id -> supervisoragents.Tool), created or updated;
    tools it has under other ids are removed. Returns it once its endpoint is READY."""
    from databricks.sdk.common.types.fieldmask import FieldMask
    from databricks.sdk.service.supervisoragents import SupervisorAgent

    w = ctx.workspace
    wanted = SupervisorAgent(display_name=display_name, description=description, instructions=instructions)
    found = find_supervisor(w, display_name)
    if found is None:
        supervisor = w.supervisor_agents.create_supervisor_agent(wanted)
    else:
        if not ctx.owns("multi_agent_supervisors", found.name):
            raise ctx.foreign("multi_agent_supervisors", display_name)
        supervisor = w.supervisor_agents.update_supervisor_agent(found.name, wanted,
                                                                 FieldMask(["description", "instructions"]))
        ctx.track("multi_agent_supervisors", {"tile_id": found.name, "display_name": display_name})
    existing = {t.tool_id: t for t in w.supervisor_agents.list_tools(supervisor.name)}
    for tool_id, tool in sorted(tools.items()):
        if tool_id in existing and _same_target(existing[tool_id], tool):
            # Only a tool's description can be updated; its type and target cannot.
            w.supervisor_agents.update_tool(existing[tool_id].name, tool, FieldMask(["description"]))
            continue
        if tool_id in existing:  # it points elsewhere now (a new space or assistant): replace it
            w.supervisor_agents.delete_tool(existing[tool_id].name)
        w.supervisor_agents.create_tool(supervisor.name, tool, tool_id)
    for tool_id in sorted(set(existing) - set(tools)):
        w.supervisor_agents.delete_tool(existing[tool_id].name)
    supervisor = w.supervisor_agents.get_supervisor_agent(supervisor.name)
    if not supervisor.endpoint_name:
        raise RuntimeError(f"supervisor {display_name} has no serving endpoint yet; run the stage again in a minute")
    wait_for_endpoint(w, supervisor.endpoint_name, READY_TIMEOUT_S,
                      hint=f"the endpoint of supervisor {display_name}; see it under Agents")
    return supervisor


def _same_target(found, wanted) -> bool:
    """Whether a tool already points where `wanted` does (its type and its space or assistant)."""
    def target(tool) -> tuple:
        return (str(getattr(tool.tool_type, "value", tool.tool_type) or ""),
                tool.genie_space.as_dict() if tool.genie_space else None,
                tool.knowledge_assistant.as_dict() if tool.knowledge_assistant else None)

    return target(found) == target(wanted)


def knowledge_assistant_id(assistant) -> str:
    """`knowledge-assistants/<id>` -> `<id>`."""
    return (assistant.name or "").rsplit("/", 1)[-1] or assistant.id
