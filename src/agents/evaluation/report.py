"""The evaluation report: per-class accuracy, bound violations and examples, as JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from .cases import CaseSet
from .scorers import bounds_of, got_amount, label, parse

EXAMPLES = 5


def summarise(chosen: CaseSet, answers: dict[str, str], judged: dict[str, dict], model: str, run_id: str,
              metrics: dict) -> dict:
    classes: dict[str, dict] = {}
    violations, failures, passes = [], [], []
    for case in chosen.cases:
        checks = judged[case.id]
        correct = all(v is not False for v in checks.values())
        tally = classes.setdefault(label(case), {"cases": 0, "correct": 0})
        tally["cases"] += 1
        tally["correct"] += correct
        answer = parse(case.agent, answers.get(case.id, ""))
        for field, bounds in bounds_of(case).items():
            if checks.get(field) is False:
                violations.append({"case": case.id, "field": field, "bounds": bounds,
                                   "got": got_amount(case, answer, field)})
        example = {"case": case.id, "question": case.question, "expected": case.expect, "why": case.why,
                   "answer": answers.get(case.id), "failed": [k for k, v in checks.items() if v is False]}
        (passes if correct else failures).append(example)
    for tally in classes.values():
        tally["accuracy"] = round(tally["correct"] / tally["cases"], 3)
    total = sum(t["correct"] for t in classes.values())
    return {"agent": chosen.agent, "model": model, "mlflow_run_id": run_id, "cases": len(chosen.cases),
            "correct": total, "accuracy": round(total / len(chosen.cases), 3), "per_class": classes,
            "checks": {case_id: checks for case_id, checks in judged.items()},
            "bound_violations": violations, "failures": failures[:EXAMPLES], "passes": passes[:2],
            "mlflow_metrics": {k: float(v) for k, v in sorted(metrics.items())}}


def headline(data: dict) -> str:
    return (f"{data['agent']}: {data['correct']} of {data['cases']} cases right ({data['accuracy']:.0%}) with "
            f"{data['model']}; {len(data['bound_violations'])} bound violation(s)")


def markdown(data: dict) -> str:
    lines = [f"# Evaluation of the {data['agent']} agent", "",
             f"Model: `{data['model']}`; MLflow run `{data['mlflow_run_id']}`. {headline(data)}.", "",
             "| class | cases | correct | accuracy |", "|---|---|---|---|"]
    lines += [f"| {name} | {t['cases']} | {t['correct']} | {t['accuracy']:.0%} |" for name, t in sorted(data["per_class"].items())]
    lines += ["", "## Bound violations", ""]
    lines += [f"- `{v['case']}`: {v['field']} {v['got']!r} outside {v['bounds']}" for v in data["bound_violations"]] or ["None."]
    lines += ["", "## Examples", ""]
    for kind, examples in (("Wrong", data["failures"]), ("Right", data["passes"])):
        for e in examples:
            lines += [f"### {kind}: `{e['case']}`", "", f"- asked: {e['question']}", f"- expected: `{json.dumps(e['expected'])}`",
                      f"- why: {e['why']}", f"- answered: `{e['answer']}`"]
            lines += [f"- failed checks: {', '.join(e['failed'])}"] if e["failed"] else []
            lines.append("")
    return "\n".join(lines) + "\n"


def write(data: dict, out: Path) -> Path:
    (out / f"{data['agent']}.json").write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    path = out / f"{data['agent']}.md"
    path.write_text(markdown(data), encoding="utf-8")
    return path
