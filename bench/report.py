"""The machine description and the JSON and Markdown files of the results.

The targets are in :mod:`bench.targets` and the Markdown in :mod:`bench.tables`; their names
are re-exported here.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

from bench.tables import markdown, scaling_table
from bench.targets import (
    CSV_LIMIT_S,
    CSV_MEMORY_LIMIT_MB,
    FLAT_TOLERANCE,
    MAX_QUERIES,
    MIN_RATIO_OF_TRIVIAL,
    MIXED_P99_LIMIT_MS,
    NOT_JUDGED,
    P95_LIMIT_MS,
    QUICK_NOTE,
    page_verdict,
    staff_verdict,
)

__all__ = [
    "CSV_LIMIT_S",
    "CSV_MEMORY_LIMIT_MB",
    "FLAT_TOLERANCE",
    "MAX_QUERIES",
    "MIN_RATIO_OF_TRIVIAL",
    "MIXED_P99_LIMIT_MS",
    "NOT_JUDGED",
    "P95_LIMIT_MS",
    "QUICK_NOTE",
    "markdown",
    "page_verdict",
    "scaling_table",
    "staff_verdict",
]


def machine(database_version: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "database": database_version,
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def database_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    from bench.loader import libpq_url

    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0] if row else '?'}"


def latest_per_scale(directory: Path, database: str, current: dict[str, Any]) -> list[dict]:
    """The newest full (not quick) result per scale for ``database``, with ``current``."""
    newest: dict[int, dict[str, Any]] = {}
    for path in directory.glob(f"*-{database}.json"):
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        run = result.get("run", {})
        if run.get("quick") or "entries" not in run:
            continue
        known = newest.get(run["entries"])
        if known is None or run["finished_at"] > known["run"]["finished_at"]:
            newest[run["entries"]] = result
    newest[current["run"]["entries"]] = current
    return [newest[k] for k in sorted(newest)]


def _comparison(result: dict[str, Any]) -> bool:
    return bool(result["run"].get("compare_workers"))


def rerender(directory: Path) -> str:
    """Rewrite every full run's Markdown from its JSON (after a change of the format) and
    return the README's section: per database, the newest run at the largest scale (with its
    scaling table) and the newest worker comparison."""
    results = []
    for path in directory.glob("*.json"):
        result = json.loads(path.read_text())
        # Other tools keep their results here too (the Lighthouse audits): skip them.
        if isinstance(result.get("run"), dict) and not result["run"]["quick"]:
            results.append((path, result))
    results.sort(key=lambda item: item[1]["run"]["finished_at"])
    latest: dict[str, tuple[tuple[int, str], str]] = {}
    for path, result in results:
        database = result["run"]["database"]
        if _comparison(result):
            text = markdown(result)
            name = f"latest-workers-{database}"
            rank = (0, result["run"]["finished_at"])
        else:
            newest: dict[int, dict[str, Any]] = {}
            for _, earlier in results:  # the newest run at each scale, as the table says
                if earlier["run"]["database"] == database and not _comparison(earlier):
                    newest[earlier["run"]["entries"]] = earlier
            text = markdown(result, [newest[k] for k in sorted(newest)])
            name = f"latest-{database}"
            rank = (result["run"]["entries"], result["run"]["finished_at"])
        path.with_suffix(".md").write_text(text)
        (directory / f"{name}.md").write_text(text)
        if name not in latest or rank >= latest[name][0]:
            latest[name] = (rank, text)
    sections = [latest[name][1] for name in sorted(latest)]
    # The README nests the results one level below its "Latest results" heading.
    return "\n".join(sections).replace("\n### ", "\n#### ").replace("### ", "#### ", 1)


def write(directory: Path, result: dict[str, Any]) -> tuple[Path, str]:
    directory.mkdir(parents=True, exist_ok=True)
    run = result["run"]
    database = run["database"]
    stem = f"{run['date']}-{run['entries']}-{database}"
    latest = f"latest-{database}"
    if _comparison(result):
        stem, latest = stem + "-workers", f"latest-workers-{database}"
    stem += "-quick" if run["quick"] else ""
    comparable = not run["quick"] and not _comparison(result)
    scaling = latest_per_scale(directory, database, result) if comparable else None
    text = markdown(result, scaling)
    (directory / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (directory / f"{stem}.md").write_text(text)
    (directory / f"{latest}.md").write_text(text)
    return directory / f"{stem}.md", text
