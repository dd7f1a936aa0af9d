"""What the project's apps share (the Refund Manager, the Support Console): one stack. The bundle
ships this package into each app's folder (`assets` in spec/bundle.yaml: an app deploys only its own
folder), where the app imports it as `appkit`.

- `http.py`: the app factory (lifespan, front door, /healthz, /api/me, page and files) and JSON
  errors (`{"error": {"code", "message"}}`, `Refused` for a rule's refusal);
- `security.py`: the front door: security headers, trusted hosts, same-origin unsafe methods, the
  identity gate, the body limit;
- `identity.py`: who acts (the platform's forwarded identity; the local mode's stand-in) and roles;
- `postgres.py`: the Lakebase pool (checked connections, statement timeout, a fresh OAuth token per
  connection) and the app's tables, created under an advisory lock;
- `fields.py`: text without control characters, keyset cursors;
- `settings.py`: the settings both apps read from their environment;
- `events.py`: an order's timeline through the SQL warehouse, parameterised;
- `static/kit.css`, `static/kit.js`: the look, and the page helpers (DOM written as text only, JSON
  calls, toasts, who acts, the pager), served under /kit.
"""
