"""The Support Console: operators act on the support agent's reports (see app.py)."""
