"""Gunicorn settings for ``timetracker serve`` (``--config python:timetracker.gunicorn_conf``).

Gunicorn writes ``Server: gunicorn`` on every response and has no setting for it: drop that
line, so that the server does not announce itself (the app sends no ``Server`` header either).

Metrics: every worker is a process with its own counters, so prometheus-client runs in its
multiprocess mode. Unless the operator set ``PROMETHEUS_MULTIPROC_DIR``, gunicorn's master makes
a new private folder (mode 0700) for it at start, before any worker starts, and removes it when
it exits; a folder the operator set is emptied of the previous run's metric files at start. A
worker that exits is marked dead, so that its files stop counting where that matters (gauges).
(With gunicorn's ``preload_app`` the app, and prometheus-client, would be imported before the
master starts: then set ``PROMETHEUS_MULTIPROC_DIR`` in the environment yourself.)

Logs: the app writes one line per request itself (``timetracker.access``), as JSON unless
``TIMETRACKER_LOG_FORMAT`` says otherwise, so gunicorn's own access log is off.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from gunicorn.http import wsgi
from gunicorn.workers.sync import SyncWorker

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: Any) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


if getattr(wsgi.Response.default_headers, "__name__", "") != "_default_headers_without_server":
    wsgi.Response.default_headers = _default_headers_without_server


MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The files prometheus-client writes in multiprocess mode (``counter_<pid>.db`` and so on).
_METRIC_FILE_PATTERNS = ("counter_*.db", "gauge_*.db", "histogram_*.db", "summary_*.db")
#: The folder made by ``on_starting`` (removed by ``on_exit``); ``None`` when the operator's.
_made_metrics_dir: Path | None = None
#: prometheus-client's multiprocess module, imported by ``on_starting`` once the folder is set:
#: ``child_exit`` runs in a signal handler, where a first import could find it half-loaded
#: (two workers exiting together).
_multiprocess: ModuleType | None = None

# Gunicorn's access log would repeat (without the request id) what the app logs already.
accesslog = None


def _prepare_metrics_folder() -> Path | None:
    """Make the multiprocess folder ready and empty; returns it when it was made here."""
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for pattern in _METRIC_FILE_PATTERNS:
            for stale in folder.glob(pattern):
                stale.unlink(missing_ok=True)
        return None
    folder = Path(tempfile.mkdtemp(prefix="timetracker-metrics-"))
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


def on_starting(_server: Any) -> None:
    """In the master, before any worker starts (and imports prometheus-client, which reads
    ``PROMETHEUS_MULTIPROC_DIR`` once, at import): the workers inherit this environment."""
    global _made_metrics_dir, _multiprocess
    _made_metrics_dir = _prepare_metrics_folder()
    from prometheus_client import multiprocess

    _multiprocess = multiprocess
    # The app formats its log lines as JSON under gunicorn unless told otherwise.
    os.environ.setdefault("TIMETRACKER_LOG_FORMAT", "json")


def child_exit(_server: Any, worker: Any) -> None:
    if _multiprocess is not None:
        _multiprocess.mark_process_dead(worker.pid)


#: The longest a stopping worker keeps answering connections that wait for it (see
#: ``worker_exit``); well within gunicorn's graceful timeout (30 s).
DRAIN_SECONDS = 10.0


def worker_exit(_server: Any, worker: Any) -> None:
    """Before a worker exits, it answers the connections already waiting for it, so that
    stopping the server (SIGTERM) drops none of them.

    On a graceful stop each worker finishes the request in hand and exits; the listening socket
    stays open while any worker holds it, and connections a proxy opens meanwhile wait in its
    queue. Whatever is still queued when the last worker exits would be reset: nginx tries such
    a GET on another server, but never a POST it has already sent. So each worker accepts until
    nobody waits (or for ``DRAIN_SECONDS`` at most, on a saturated server), then closes the
    socket; once the last one has, new connections are refused, and a proxy sends those to
    another server whatever their method (docs/deployment.md, "Failover").
    """
    if not isinstance(worker, SyncWorker):
        return
    deadline = time.monotonic() + DRAIN_SECONDS
    for listener in worker.sockets:
        while time.monotonic() < deadline:
            try:
                worker.accept(listener)  # answers the waiting connection, if there is one
            except OSError as error:
                if error.errno == errno.ECONNABORTED:
                    continue  # the client gave up while waiting: look for the next one
                break  # nobody is waiting (the socket is non-blocking)
        listener.close()


def on_exit(_server: Any) -> None:
    if _made_metrics_dir is not None:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)
