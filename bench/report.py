"""The machine description, the targets of issue 7, and the Markdown and JSON reports."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

#: Targets for every portal page (issue 7), checked at each scale.
P95_LIMIT_MS = 25.0
MIN_RATIO_OF_TRIVIAL = 0.25
MAX_QUERIES = 10
CSV_LIMIT_S = 3.0
CSV_MEMORY_LIMIT_MB = 50.0
MIXED_P99_LIMIT_MS = 250.0
FLAT_TOLERANCE = 0.20


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


def page_verdict(page: dict[str, Any], trivial_rps_8: float) -> list[str]:
    """The targets this page misses (empty when it meets them all)."""
    misses = []
    c1, c8 = page["c1"], page["c8"]
    if c1["p95_ms"] >= P95_LIMIT_MS:
        misses.append(f"p95 {c1['p95_ms']:.0f} ms ≥ {P95_LIMIT_MS:.0f}")
    if trivial_rps_8 and c8["rps"] < MIN_RATIO_OF_TRIVIAL * trivial_rps_8:
        misses.append(f"{c8['rps'] / trivial_rps_8:.0%} of trivial < 25%")
    if page.get("queries") is not None and page["queries"] > MAX_QUERIES:
        misses.append(f"{page['queries']} SQL > {MAX_QUERIES}")
    if c1["errors"] or c8["errors"]:
        misses.append("errors")
    return misses


def _load_text(m: dict[str, Any]) -> str:
    loads = m.get("load_average")
    if not isinstance(loads, dict):
        return ""
    return (
        f"Load average (1 min) {loads['start'][0]:.1f} at the start and {loads['end'][0]:.1f} "
        "at the end: other work on the machine slows the wall-clock figures, while the CPU "
        "time per request (app = gunicorn workers, db = PostgreSQL backends; SQLite runs "
        "inside the app) is little affected by it."
    )


def _rps(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


#: The targets column of a quick run, whose measurements are too short to judge them.
NOT_JUDGED = "not judged (smoke run)"
QUICK_NOTE = "its timings are too short to judge the targets (run `make bench` for that)."


def markdown(result: dict[str, Any], scaling: list[dict[str, Any]] | None = None) -> str:
    run, m = result["run"], result["machine"]
    judged = not run["quick"]
    out = [
        f"### {run['entries']:,} entries on {m['database']} ({run['date']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}, {m['database']}. Server: `timetracker serve` (gunicorn, "
        f"{run['workers']} sync workers); the load client runs on the same machine. "
        f"{run['duration']:g} s per page and concurrency"
        + (" (quick run)" if run["quick"] else "")
        + f". Data generated in {run['generation_seconds']:.1f} s"
        + (" (reused)" if run.get("reused_data") else "")
        + f". {_load_text(m)}",
        "",
        *(
            []
            if judged
            else [
                f"Smoke run: it checks that the harness works and asserts nothing; {QUICK_NOTE}",
                "",
            ]
        ),
        "| Page | 1 conn req/s | p50 ms | p95 ms | p99 ms | 8 conn req/s | p50 ms | p95 ms "
        "| p99 ms | % of trivial (8) | CPU ms/req app + db | errors | SQL/req | size | targets |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for page in result["pages"]:
        if page.get("skipped"):
            out.append(f"| {page['name']} | {page['skipped']} |" + " |" * 13)
            continue
        c1, c8 = page["c1"], page["c8"]
        verdict = page.get("misses")
        if page["key"] == "constant" or page["key"] == "csv":
            verdict_text = "—" if page["key"] == "constant" else page.get("csv_verdict", "")
        else:
            verdict_text = "met" if not verdict else "missed: " + "; ".join(verdict)
        if not judged and page["key"] != "constant":
            verdict_text = NOT_JUDGED
        queries = "—" if page.get("queries") is None else str(page["queries"])
        ratio = "100%" if page["key"] == "constant" else f"{page.get('ratio_c8', 0):.0%}"
        out.append(
            f"| {page['name']} | {_rps(c1['rps'])} | {_ms(c1['p50_ms'])} | {_ms(c1['p95_ms'])} "
            f"| {_ms(c1['p99_ms'])} | {_rps(c8['rps'])} | {_ms(c8['p50_ms'])} "
            f"| {_ms(c8['p95_ms'])} | {_ms(c8['p99_ms'])} | {ratio} "
            f"| {c1.get('app_cpu_ms', 0):.1f} + {c1.get('db_cpu_ms', 0):.1f} "
            f"| {c1['errors'] + c8['errors']} | {queries} | {_size(page['size_bytes'])} "
            f"| {verdict_text} |"
        )
    mixed = result.get("mixed")
    if mixed:
        ok = mixed["errors"] == 0 and mixed["p99_ms"] < MIXED_P99_LIMIT_MS
        mixed_verdict = ("met" if ok else "missed") if judged else NOT_JUDGED
        out += [
            "",
            f"Mixed page set, {mixed['concurrency']} connections for {mixed['seconds']:.0f} s: "
            f"{mixed['rps']:.0f} req/s, p50 {_ms(mixed['p50_ms'])} ms, p95 "
            f"{_ms(mixed['p95_ms'])} ms, p99 {_ms(mixed['p99_ms'])} ms, "
            f"{mixed['errors']} errors (target zero errors and p99 < "
            f"{MIXED_P99_LIMIT_MS:.0f} ms: {mixed_verdict}).",
        ]
    csv = result.get("csv")
    if csv:
        out += ["", csv["summary"]]
    if result.get("notes"):
        out += [""] + [f"- {note}" for note in result["notes"]]
    if scaling and len(scaling) > 1:
        out += ["", *scaling_table(scaling)]
    return "\n".join(out) + "\n"


def _within(values: list[float]) -> bool:
    """All values within FLAT_TOLERANCE of each other (largest <= smallest x 1.2)."""
    return bool(values) and max(values) <= min(values) * (1 + FLAT_TOLERANCE)


def scaling_table(results: list[dict[str, Any]]) -> list[str]:
    """Per page across scales: p95 at 1 connection, req/s at 8, CPU per request; and whether
    each stays within 20% of each other (wall clock, and CPU which other load disturbs less)."""
    results = sorted(results, key=lambda r: r["run"]["entries"])
    scales = [r["run"]["entries"] for r in results]
    header = " | ".join(f"{s:,}: p95 ms / req/s (8) / CPU ms" for s in scales)
    lines = [
        f"Scaling on {results[-1]['machine']['database']} (latest full run at each scale; flat "
        f"= within {FLAT_TOLERANCE:.0%} of each other; CPU = app + db CPU time per request at "
        "1 connection):",
        "",
        f"| Page | {header} | flat (wall clock) | flat (CPU) |",
        "|---|" + "--:|" * len(scales) + "---|---|",
    ]
    by_scale = [{p["key"]: p for p in r["pages"] if not p.get("skipped")} for r in results]
    for page in results[-1]["pages"]:
        key = page["key"]
        if page.get("skipped") or key in ("constant", "csv"):
            continue
        cells = []
        p95s, rpss, cpus = [], [], []
        for pages in by_scale:
            other = pages.get(key)
            if other is None:
                cells.append("—")
                continue
            c1, c8 = other["c1"], other["c8"]
            cpu = c1.get("app_cpu_ms", 0.0) + c1.get("db_cpu_ms", 0.0)
            cells.append(f"{_ms(c1['p95_ms'])} / {c8['rps']:.0f} / {cpu:.1f}")
            p95s.append(c1["p95_ms"])
            rpss.append(c8["rps"])
            cpus.append(cpu)
        wall = cpu_flat = "—"
        if len(p95s) > 1:
            wall = "yes" if _within(p95s) and _within(rpss) else "no"
            cpu_flat = "yes" if _within(cpus) else "no"
        lines.append(f"| {page['name']} | " + " | ".join(cells) + f" | {wall} | {cpu_flat} |")
    return lines


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


def rerender(directory: Path) -> None:
    """Rewrite every full run's Markdown from its JSON (after a change of the format)."""
    results = []
    for path in directory.glob("*.json"):
        result = json.loads(path.read_text())
        if not result["run"]["quick"]:
            results.append((path, result))
    results.sort(key=lambda item: item[1]["run"]["finished_at"])
    for index, (path, result) in enumerate(results):
        database = result["run"]["database"]
        newest: dict[int, dict[str, Any]] = {}
        for _, earlier in results[: index + 1]:
            if earlier["run"]["database"] == database:
                newest[earlier["run"]["entries"]] = earlier
        text = markdown(result, [newest[k] for k in sorted(newest)])
        path.with_suffix(".md").write_text(text)
        (directory / f"latest-{database}.md").write_text(text)


def write(directory: Path, result: dict[str, Any]) -> tuple[Path, str]:
    directory.mkdir(parents=True, exist_ok=True)
    run = result["run"]
    database = run["database"]
    stem = f"{run['date']}-{run['entries']}-{database}" + ("-quick" if run["quick"] else "")
    scaling = None if run["quick"] else latest_per_scale(directory, database, result)
    text = markdown(result, scaling)
    (directory / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (directory / f"{stem}.md").write_text(text)
    (directory / f"latest-{database}.md").write_text(text)
    return directory / f"{stem}.md", text
