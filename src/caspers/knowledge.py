"""The two knowledge stages (menu_knowledge_agent, inspection_knowledge_agent) differ only in these
values; the steps are caspers.agent_bricks'."""

from __future__ import annotations

from caspers.agent_bricks import ensure_knowledge_assistant

ASSISTANTS = {
    "menu": {
        "name": "{catalog}-menu-knowledge",
        "volume": "/Volumes/{catalog}/menu_documents/menus",
        "source": "menu_pdfs",
        "source_description": "One menu PDF per Casper's Kitchens brand: items, prices, nutrition and allergens.",
        "description": "Answers questions about Casper's Kitchens menus: dishes, prices, nutrition and allergens.",
        "instructions": "Answer from the menu documents only and name the brand and item you quote. For allergen "
                        "questions list every matching item, and say when a menu does not state something.",
    },
    "inspection": {
        "name": "{catalog}-inspection-knowledge",
        "volume": "/Volumes/{catalog}/food_safety/reports",
        "source": "inspection_reports",
        "source_description": "Food-safety inspection reports of the four kitchens: scores, grades, violations.",
        "description": "Answers questions about food-safety inspections of Casper's Kitchens kitchens.",
        "instructions": "Answer from the inspection reports only. Quote the inspection id, date and violation codes, "
                        "and give corrective actions and deadlines exactly as the report states them.",
    },
}


def assistant_name(which: str, catalog: str) -> str:
    return ASSISTANTS[which]["name"].format(catalog=catalog)


def ensure(ctx, which: str, catalog: str):
    spec = ASSISTANTS[which]
    assistant = ensure_knowledge_assistant(
        ctx, assistant_name(which, catalog), spec["description"], spec["instructions"],
        spec["volume"].format(catalog=catalog), spec["source"], spec["source_description"])
    print(f"[{ctx.name}] knowledge assistant {assistant.display_name} ({assistant.name}) serves on endpoint "
          f"{assistant.endpoint_name}")
    return assistant
