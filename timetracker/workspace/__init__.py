"""The staff workspace: dashboard, time, projects, clients, invoices and reports.

``blueprint.py`` holds the URL table. Each sub-feature is a package that owns its views, queries
and forms: ``time/`` (with the timer's operations and the CSV export), ``clients/``, ``projects/``
(with status updates and notes), ``invoices/`` (with the PDF and the email), ``reports/`` and
``dashboard/``. Shared helpers: ``common.py``, ``fields.py``, ``paging.py`` and ``choices.py``.
The billing rules and invoicing live in ``timetracker.billing``.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from timetracker.workspace.blueprint import bp

    app.register_blueprint(bp)
