"""The stand-in's answer to a browser: `GET /`, where a workspace's links lead (`<host>/#job/<id>`,
`<host>/#job/<id>/run/<run>`, the host itself). Like the workspace's own page, it shows what the
fragment names, fetched from the REST API in the browser, and here also every live object by kind,
so every link a local run prints leads somewhere. Values are written as text, never as markup."""

from __future__ import annotations

import html

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Workspace stand-in</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}pre{{background:#f4f4f4;padding:1em;overflow:auto}}
li{{font-family:monospace}}</style></head>
<body><h1>Workspace stand-in</h1>
<p>The local workspace (local_workspace/), standing in for a Databricks workspace. The REST API is under /api/.</p>
<section id="linked" hidden><h2 id="linked-title"></h2><pre id="linked-body"></pre></section>
<h2>Live objects</h2>
{objects}
<script>
// What the link's fragment names (#job/<id> or #job/<id>/run/<run>), as the workspace's page shows it.
async function show() {{
  const match = location.hash.match(/^#job\\/(\\d+)(?:\\/run\\/(\\d+))?/);
  if (!match) return;
  const [, job, run] = match;
  const url = run ? `/api/2.1/jobs/runs/get?run_id=${{run}}` : `/api/2.1/jobs/get?job_id=${{job}}`;
  const answer = await fetch(url);
  document.getElementById("linked").hidden = false;
  document.getElementById("linked-title").textContent = (run ? `Run ${{run}} of job ${{job}}` : `Job ${{job}}`) +
    (answer.ok ? "" : ": not in this workspace");
  document.getElementById("linked-body").textContent = JSON.stringify(await answer.json(), null, 2);
}}
window.addEventListener("hashchange", show);
show();
</script></body></html>
"""


def page(store) -> bytes:
    """The page, with the store's live objects (their names where they have one)."""
    sections = []
    with store.lock:
        live = {kind: objs for kind, objs in sorted(store.objects.items()) if not kind.startswith("_") and objs}
        for kind, objs in live.items():
            items = "".join(f"<li>{html.escape(str(key))}{_name(obj)}</li>" for key, obj in sorted(objs.items())
                            if obj.get("lifecycle_stage") != "deleted")
            sections.append(f"<h3>{html.escape(kind)}</h3><ul>{items}</ul>")
    return PAGE.format(objects="".join(sections) or "<p>none yet</p>").encode()


def _name(obj: dict) -> str:
    name = obj.get("name") or (obj.get("settings") or {}).get("name") or ""
    return f": {html.escape(str(name))}" if name and name != obj.get("id") else ""
