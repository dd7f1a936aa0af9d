"""Stage `menu_supervisor` (task Menu_Supervisor).

Creates or updates the Agent Bricks Supervisor Agent `<catalog>-menu-supervisor`, which routes
questions to the Genie space and the two Knowledge Assistants. Its inputs are found by the names
the spec declares it consumes (the space by title, the assistants by name), and its tools are
brought in line on every run; then it waits, bounded, for its endpoint.
"""

from caspers import agent_bricks, knowledge
from caspers.genie import find_space

INSTRUCTIONS = (
    "Route each question to one tool. Numbers across brands or kitchens (averages, counts, rankings, trends) go "
    "to menu-safety-analytics. What a specific menu says about a dish, its ingredients or allergens goes to "
    "menu-document-search. What a specific inspection report says (findings, corrective actions, deadlines) goes "
    "to inspection-report-search. Combine answers when a question needs both, and name your sources.")


def run(ctx):
    from databricks.sdk.service import supervisoragents as sa

    catalog = ctx.params["CATALOG"]
    w = ctx.workspace
    title = f"Caspers Menu and Safety Intelligence ({catalog})"
    space = find_space(w, title, lambda found: ctx.owns("genie_spaces", found.space_id))
    if space is None:
        raise RuntimeError(f"Genie space {title!r} of this deployment not found: the menu_genie stage creates it; "
                           "run it first")
    tools = {"menu-safety-analytics": sa.Tool(
        tool_type="genie_space", genie_space=sa.GenieSpace(id=space.space_id),
        description="Structured menu, nutrition, allergen and inspection tables: counts, averages, rankings.")}
    for which, tool_id, what in (("menu", "menu-document-search", "The brands' menu documents."),
                                 ("inspection", "inspection-report-search", "The kitchens' inspection reports.")):
        name = knowledge.assistant_name(which, catalog)
        assistant = agent_bricks.find_knowledge_assistant(w, name)
        if assistant is None:
            raise RuntimeError(f"knowledge assistant {name!r} not found: the {which}_knowledge_agent stage creates it; "
                               "run it first")
        assistant = w.knowledge_assistants.get_knowledge_assistant(assistant.name)
        tools[tool_id] = sa.Tool(tool_type="knowledge_assistant", description=what, knowledge_assistant=sa.KnowledgeAssistant(
            knowledge_assistant_id=agent_bricks.knowledge_assistant_id(assistant),
            serving_endpoint_name=assistant.endpoint_name))
    supervisor = agent_bricks.ensure_supervisor(
        ctx, f"{catalog}-menu-supervisor",
        "Answers questions about Casper's Kitchens menus and food safety, from tables and documents.",
        INSTRUCTIONS, tools)
    print(f"[{ctx.name}] supervisor {supervisor.display_name} ({supervisor.name}) serves on endpoint "
          f"{supervisor.endpoint_name} with tools {', '.join(sorted(tools))}")
