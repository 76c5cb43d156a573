"""WSGI entry point for gunicorn: ``gunicorn timetracker.wsgi:app``."""

from timetracker import create_app

app = create_app()
