"""The staff workspace: dashboard, time, projects, clients, invoices and reports.

``blueprint.py`` holds the URL table; each sub-feature keeps its views in its own module, its
queries in ``queries.py``/``reporting.py`` and its domain operations in ``timekeeping.py`` and
``invoicing.py``.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from timetracker.workspace.blueprint import bp

    app.register_blueprint(bp)
