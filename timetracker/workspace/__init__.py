"""The staff workspace: dashboard, time, projects, clients, invoices and reports."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from timetracker.workspace.routes import bp

    app.register_blueprint(bp)
