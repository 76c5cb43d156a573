"""The Markdown of a run: its setting, the portal and staff tables, the mix, the worker models
and the scaling across runs. Results of runs made before wrk (no generator figures, no staff
pages) render too, with dashes where a figure was not measured."""

from __future__ import annotations

from typing import Any

from bench.targets import (
    FLAT_TOLERANCE,
    MIN_RATIO_OF_TRIVIAL,
    MIXED_P99_LIMIT_MS,
    NOT_JUDGED,
    P95_LIMIT_MS,
    QUICK_NOTE,
    REPORT_P95_LIMIT_MS,
    STAFF_P95_LIMIT_MS,
    mixed_met,
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


def _pct(run: dict[str, Any], key: str) -> str:
    return "—" if key not in run else f"{run[key]:.0f}"


def server_text(run: dict[str, Any]) -> str:
    model = run.get("worker_class", "sync")
    threads = run.get("threads", 1)
    per = f" x {threads} threads" if threads > 1 else ""
    return f"`timetracker serve` (gunicorn, {run['workers']} {model} workers{per})"


def setting(result: dict[str, Any]) -> list[str]:
    run, m = result["run"], result["machine"]
    if run.get("generator") == "wrk":
        load = (
            "Load: wrk on the same machine, one thread per connection, each connection signed "
            "in as its own person; its own CPU share (of the machine's cores, during the run) "
            "is in the tables, beside the app's."
        )
        connection = result.get("connection_header", "")
        if connection.lower() == "close":
            load += (
                " The sync workers answer every response with `Connection: close`, so wrk "
                "opens a new connection per request (keep-alive is not possible with them); "
                "wrk times a request from its first byte, so the wait for a free worker is "
                "counted and the loopback connect is not."
            )
        elif connection:
            load += f" The server answers `Connection: {connection}`: wrk keeps connections open."
        if run.get("compare_workers"):
            load += (
                " The keep-alive column says whether the server kept wrk's connections open "
                "(sync workers answer `Connection: close` and wrk reconnects for every request)."
            )
    else:
        load = "Load: a Python client on the same machine (runs before wrk)."
    loads = m.get("load_average")
    load_text = ""
    if isinstance(loads, dict):
        load_text = (
            f" Load average (1 min) {loads['start'][0]:.1f} at the start and "
            f"{loads['end'][0]:.1f} at the end: other work on the machine slows the wall-clock "
            "figures, while the CPU time per request (app = gunicorn workers, db = PostgreSQL "
            "backends; SQLite runs inside the app) is little affected by it."
        )
    server = (
        "each worker model below, one after another, on the same data"
        if run.get("compare_workers")
        else server_text(run)
    )
    return [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}, {m['database']}. Server: {server}. {load} "
        f"{run['duration']:g} s per page and concurrency"
        + (" (quick run)" if run["quick"] else "")
        + f". Data generated in {run['generation_seconds']:.1f} s"
        + (" (reused)" if run.get("reused_data") else "")
        + f".{load_text}",
    ]


HEADER = (
    "| Page | 1 conn req/s | p50 ms | p95 ms | p99 ms | 8 conn req/s | p50 ms | p95 ms | p99 ms "
    "| % of ceiling (8) | CPU ms/req app + db | app CPU % (8) | wrk CPU % (1 / 8) | errors "
    "| SQL/req | size | targets |"
)
ALIGN = "|---|" + "--:|" * 15 + "---|"


def _verdict(page: dict[str, Any], judged: bool) -> str:
    key = page["key"]
    if key == "constant":
        return "—"
    if not judged:
        return NOT_JUDGED
    if key == "csv":
        return str(page.get("csv_verdict", ""))
    if "misses" not in page:
        return "—"
    return "met" if not page["misses"] else "missed: " + "; ".join(page["misses"])


def page_rows(pages: list[dict[str, Any]], judged: bool) -> list[str]:
    out = [HEADER, ALIGN]
    for page in pages:
        if page.get("skipped"):
            out.append(f"| {page['name']} | {page['skipped']} |" + " |" * 15)
            continue
        c1, c8 = page["c1"], page["c8"]
        queries = "—" if page.get("queries") is None else str(page["queries"])
        ratio = "100%" if page["key"] == "constant" else f"{page.get('ratio_c8', 0):.0%}"
        generator = (
            f"{_pct(c1, 'generator_cpu_pct')} / {_pct(c8, 'generator_cpu_pct')}"
            if c8.get("generator", "wrk") == "wrk" and "generator_cpu_pct" in c8
            else "—"
        )
        errors = c1["errors"] + c8["errors"]
        first = c1.get("first_error") or c8.get("first_error")
        out.append(
            f"| {page['name']} | {_rps(c1['rps'])} | {_ms(c1['p50_ms'])} | {_ms(c1['p95_ms'])} "
            f"| {_ms(c1['p99_ms'])} | {_rps(c8['rps'])} | {_ms(c8['p50_ms'])} "
            f"| {_ms(c8['p95_ms'])} | {_ms(c8['p99_ms'])} | {ratio} "
            f"| {c1.get('app_cpu_ms', 0):.1f} + {c1.get('db_cpu_ms', 0):.1f} "
            f"| {_pct(c8, 'app_cpu_pct')} | {generator} "
            f"| {errors}{' (' + _cell(first) + ')' if errors and first else ''} "
            f"| {queries} | {_size(page['size_bytes'])} | {_verdict(page, judged)} |"
        )
    return out


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")[:100]


def mixed_text(mixed: dict[str, Any], judged: bool) -> str:
    verdict = ("met" if mixed_met(mixed) else "missed") if judged else NOT_JUDGED
    who = f" ({mixed['users']} people, portal and staff alternating)" if "users" in mixed else ""
    cpu = ""
    if "generator_cpu_pct" in mixed:
        cpu = (
            f" App CPU {mixed.get('app_cpu_pct', 0):.0f}% + db {mixed.get('db_cpu_pct', 0):.0f}% "
            f"of the machine, wrk {mixed['generator_cpu_pct']:.0f}%."
        )
    first = f" First error: {_cell(mixed['first_error'])}." if mixed.get("first_error") else ""
    return (
        f"Mixed page set, {mixed['concurrency']} connections{who} for {mixed['seconds']:.0f} s: "
        f"{mixed['rps']:.0f} req/s, p50 {_ms(mixed['p50_ms'])} ms, p95 "
        f"{_ms(mixed['p95_ms'])} ms, p99 {_ms(mixed['p99_ms'])} ms, {mixed['errors']} errors "
        f"(target zero errors and p99 < {MIXED_P99_LIMIT_MS:.0f} ms: {verdict}).{cpu}{first}"
    )


def worker_table(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "Worker models (the product's default is sync, 2 workers): the ceiling at 8 "
        "connections and the mixed set. On a busy machine compare the CPU time per request "
        "(little affected by other work) before the wall-clock figures.",
        "",
        "| Worker model | keep-alive | ceiling req/s (8) | ceiling p99 ms | mixed req/s "
        "| mixed p50 ms | p95 ms | p99 ms | errors | app + db CPU ms/req | app + db CPU % "
        "| wrk CPU % |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        constant, mixed = row["constant_c8"], row["mixed"]
        model = f"{row['worker_class']}, {row['workers']} workers"
        if row["worker_class"] != "sync":
            model += f" x {row['threads']} threads"
        keep_alive = "no" if row.get("connection_header", "").lower() == "close" else "yes"
        out.append(
            f"| {model} | {keep_alive} | {_rps(constant['rps'])} | {_ms(constant['p99_ms'])} "
            f"| {_rps(mixed['rps'])} | {_ms(mixed['p50_ms'])} | {_ms(mixed['p95_ms'])} "
            f"| {_ms(mixed['p99_ms'])} | {mixed['errors']} "
            f"| {mixed['app_cpu_ms']:.1f} + {mixed['db_cpu_ms']:.1f} "
            f"| {mixed['app_cpu_pct']:.0f} + {mixed['db_cpu_pct']:.0f} "
            f"| {mixed['generator_cpu_pct']:.0f} |"
        )
    return out


def markdown(result: dict[str, Any], scaling: list[dict[str, Any]] | None = None) -> str:
    run, m = result["run"], result["machine"]
    judged = not run["quick"]
    title = f"{run['entries']:,} entries on {m['database']}"
    if run.get("compare_workers"):
        title = f"Worker models at {title}"
    out = [f"### {title} ({run['date']})", "", *setting(result), ""]
    if not judged:
        out += [f"Smoke run: it checks the harness works and asserts nothing; {QUICK_NOTE}", ""]
    if result.get("worker_comparison"):
        out += [f"Database: {m['database']}.", "", *worker_table(result["worker_comparison"])]
        return "\n".join(out) + "\n"
    out += [
        f"Portal pages (targets: p95 < {P95_LIMIT_MS:.0f} ms at 1 connection, at least "
        f"{MIN_RATIO_OF_TRIVIAL:.0%} of the ceiling's req/s at 8, at most 10 SQL per page):",
        "",
        *page_rows(result["pages"], judged),
    ]
    if result.get("staff_pages"):
        out += [
            "",
            f"Staff pages (targets: p95 < {STAFF_P95_LIMIT_MS:.0f} ms at 1 connection; reports "
            f"over a year p95 < {REPORT_P95_LIMIT_MS:.0f} ms; signed in as staff members; % of "
            "ceiling against the same ceiling):",
            "",
            *page_rows(result["staff_pages"], judged),
        ]
    if result.get("mixed"):
        out += ["", mixed_text(result["mixed"], judged)]
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

    def keyed(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
        both = result["pages"] + result.get("staff_pages", [])
        return {f"{p['key']}": p for p in both if not p.get("skipped")}

    by_scale = [keyed(r) for r in results]
    latest = results[-1]
    staff_keys = {p["key"] for p in latest.get("staff_pages", [])}
    for page in latest["pages"] + latest.get("staff_pages", []):
        key = page["key"]
        if page.get("skipped") or key in ("constant", "csv", "pdf", "staff_csv"):
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
        name = page["name"] + (" (staff)" if key in staff_keys else "")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {wall} | {cpu_flat} |")
    return lines
