"""What an operator watches: Prometheus metrics at ``/metrics`` and one log line per request.

``init_app(app)`` wires it all (see docs/monitoring.md):

- :mod:`.logs`: the request id (``X-Request-ID``), the filter that puts it on every log record,
  and the JSON or plain-text format of the app's log lines (``TIMETRACKER_LOG_FORMAT``).
- :mod:`.metrics`: the metrics, and the ``/metrics`` page (loopback or bearer token).
- :mod:`.hooks`: per request, the request id, the SQL statement count, the request metrics and
  the access log line on ``timetracker.access``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from timetracker.observability import hooks, logs, metrics

    logs.init_app(app)
    hooks.init_app(app)
    metrics.init_app(app)
