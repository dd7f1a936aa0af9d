"""What the project's apps share (the Refund Manager, the Support Console): one stack. The bundle
ships this package into each app's folder (`assets` in spec/bundle.yaml: an app deploys only its own
folder), where the app imports it as `appkit`.

- `postgres.py`: the Lakebase connection pool, a fresh OAuth token per new connection;
- `http.py`: JSON errors (`{"error": {"code", "message"}}`) and the handlers every app installs;
- `events.py`: an order's timeline through the SQL warehouse, parameterised;
- `static/kit.css`, `static/kit.js`: the look, and the page helpers (DOM written as text only, JSON
  calls, toasts), served under /kit.
"""
