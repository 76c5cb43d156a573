"""``python -m bench``: generate a dataset, serve it with the real server, measure the portal
and the staff pages with wrk.

    python -m bench --entries 1000000                      # SQLite under bench/data/
    python -m bench --entries 100000 --database-url postgresql+psycopg://postgres@127.0.0.1/tt_bench
    python -m bench --entries 10000 --quick                # the CI smoke run (no assertions)
    python -m bench --entries 100000 --compare-workers     # sync against gthread workers
    python -m bench --render-only                          # rewrite the Markdown, print README's

Full runs write ``bench/results/<date>-<entries>-<database>.{md,json}`` and
``latest-<database>.md``; quick runs write under ``bench/data/results/`` (not committed).
The timed runs need ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

from bench import dataset, load, loader, measure, pages, report, wrk
from bench.measure import Bench
from bench.server import Server

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="time entries to generate")
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file under bench/data/; a PostgreSQL database named "
        "*bench* is dropped and recreated",
    )
    parser.add_argument("--quick", action="store_true", help="short measurements (smoke run)")
    parser.add_argument(
        "--duration", type=float, help="seconds per page and concurrency (whole seconds, wrk)"
    )
    parser.add_argument("--mixed-duration", type=float, help="seconds of the 50-connection mix")
    parser.add_argument("--mixed-connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn worker class (passed in GUNICORN_CMD_ARGS; the product's default is sync)",
    )
    parser.add_argument(
        "--threads", type=int, help="threads per gthread worker (default 4; 1 for sync)"
    )
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help="only the ceiling at 8 connections and the mixed set, under sync (2 workers) and "
        "gthread (2 x 4 and 4 x 4)",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the database of an earlier run at the same scale (migrations still applied)",
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only rewrite the Markdown of the results in --output-dir from their JSON, and "
        "print the README's section",
    )
    parser.add_argument("--output-dir", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    if args.entries < 1000:
        parser.error("--entries must be at least 1000")
    if args.threads is None:
        args.threads = 4 if args.worker_class == "gthread" else 1
    if args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads applies to --worker-class gthread only")
    if args.duration is None:
        args.duration = 1.0 if args.quick else 5.0
    if args.mixed_duration is None:
        args.mixed_duration = 2.0 if args.quick else 60.0
    if args.output_dir is None:
        args.output_dir = DATA_DIR / "results" if args.quick else RESULTS_DIR
    return args


def database_label(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def prepare_data(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Generate and load the dataset (or reuse the last one at this scale); returns its record."""
    from timetracker import migrate
    from timetracker.auth.passwords import hash_password

    name = re.sub(r"\W", "_", url.rsplit("/", 1)[-1])
    sidecar = DATA_DIR / f"{name}.json"
    if args.reuse_data and sidecar.exists():
        record = json.loads(sidecar.read_text())
        if record.get("entries") == args.entries and record.get("url") == url:
            print(f"Reusing the dataset generated on {record['generated_at']}.", file=sys.stderr)
            migrate.upgrade(url)
            record["reused"] = True
            return record
    print(f"Generating {args.entries:,} time entries into {url}", file=sys.stderr)
    started = time.perf_counter()
    data = dataset.generate(
        args.entries,
        hash_password(dataset.PORTAL_PASSWORD),
        staff_password_hash=hash_password(dataset.STAFF_PASSWORD),
    )
    generated = time.perf_counter() - started
    phases = {"generate": round(generated, 2)}
    phases.update({k: round(v, 2) for k, v in loader.load(url, data).items()})
    record = {
        "url": url,
        "entries": args.entries,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generation_seconds": round(time.perf_counter() - started, 2),
        "phases": phases,
        "facts": data.facts,
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(record, indent=2))
    print(
        f"Generated and loaded in {record['generation_seconds']:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in phases.items())}).",
        file=sys.stderr,
    )
    return record


def sign_in(server: Server, facts: dict[str, Any], staff_count: int) -> Bench:
    """One session per portal user and per staff member the run needs (one per connection)."""
    started = time.perf_counter()
    emails = facts.get("portal_emails") or [facts["portal_email"]]
    portal = [server.login(email, dataset.PORTAL_PASSWORD) for email in emails]
    # Datasets made before the staff had a password of their own share the portal's.
    staff_password = dataset.STAFF_PASSWORD if "staff_emails" in facts else dataset.PORTAL_PASSWORD
    staff_emails = facts.get("staff_emails") or dataset.staff_emails()
    staff = [server.login(email, staff_password) for email in staff_emails[:staff_count]]
    print(
        f"Signed in {len(portal)} portal users and {len(staff)} staff members in "
        f"{time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )
    return Bench(server, portal, staff)


def staff_needed(args: argparse.Namespace) -> int:
    """Staff sessions: 8 for the 8-connection runs, one per staff connection of the mix."""
    return min(dataset.STAFF_USERS, max(8, args.mixed_connections // 2))


def measure_all(args: argparse.Namespace, bench: Bench, facts: dict[str, Any]) -> dict:
    ceiling: dict[int, float] = {}
    print("Portal pages (and the ceiling):", file=sys.stderr)
    portal = measure.measure_list(
        bench,
        [pages.CONSTANT, *pages.portal_pages(facts)],
        bench.portal_cookies,
        facts,
        args.duration,
        ceiling,
        measure.judge_portal,
    )
    print("Staff pages:", file=sys.stderr)
    staff = measure.measure_list(
        bench,
        pages.staff_pages(facts),
        bench.staff_cookies[: dataset.PORTAL_USERS],
        facts,
        args.duration,
        ceiling,
        measure.judge_staff,
    )
    portal_paths, staff_paths = measure.measurable_paths(portal), measure.measurable_paths(staff)
    mixed = None
    if portal_paths:
        mixed = measure.measure_mixed(
            bench, portal_paths, staff_paths, args.mixed_connections, args.mixed_duration
        )
    notes = bench.notes
    csv_result = None
    csv_page = next((p for p in portal if p["key"] == "csv" and not p.get("skipped")), None)
    if csv_page is not None:
        csv_result = csv_summary(csv_page, judged=not args.quick)
        csv_page["csv_verdict"] = csv_result["verdict"]
    if any(p.get("streamed") for p in portal + staff):
        notes.append(
            "SQL/req of a streamed response counts the statements run before its first byte."
        )
    return {
        "pages": portal,
        "staff_pages": staff,
        "mixed": mixed,
        "csv": csv_result,
        "notes": notes,
        "connection_header": bench.server.connection_header(pages.CONSTANT[2]),
    }


#: (worker class, workers, threads per worker) compared by ``--compare-workers``.
WORKER_MODELS = [("sync", 2, 1), ("gthread", 2, 4), ("gthread", 4, 4)]


def still_signed_in(server: Server, bench: Bench) -> bool:
    """Whether the sessions of ``bench`` open the dashboards on ``server`` (same secret key
    and database: the sessions are rows of the database, so they outlive a restart)."""
    portal = load.HttpClient(server.port, bench.portal_cookies[:1])
    staff = load.HttpClient(server.port, bench.staff_cookies[:1])
    return (
        portal.get("/client-portal/dashboard").status == 200
        and staff.get("/dashboard").status == 200
    )


def compare_workers(args: argparse.Namespace, url: str, facts: dict[str, Any]) -> list[dict]:
    """The constant route at 8 connections and the mixed set under each worker model, on the
    same data and with the same people signed in (one secret key for every server)."""
    label = database_label(url)
    secret = secrets.token_hex(32)
    signed_in: Bench | None = None
    rows = []
    portal, staff = pages.portal_pages(facts), pages.staff_pages(facts)
    portal_paths, staff_paths = pages.mixed_paths(portal), pages.mixed_paths(staff)
    for worker_class, workers, threads in WORKER_MODELS:
        log = DATA_DIR / f"server-{label}-{worker_class}-{workers}x{threads}.log"
        with Server(url, workers, log, worker_class, threads, secret) as server:
            print(f"Worker model: {server.describe()}", file=sys.stderr)
            if signed_in is None or not still_signed_in(server, signed_in):
                signed_in = sign_in(server, facts, staff_needed(args))
            bench = Bench(server, signed_in.portal_cookies, signed_in.staff_cookies)
            client = load.HttpClient(server.port, bench.portal_cookies)
            constant_path = pages.CONSTANT[2]
            connection = server.connection_header(constant_path)
            load.run_load(client, portal_paths, 2, 0.0, min_requests=2 * len(portal_paths))
            constant = measure.wrk_run(bench, bench.portal_cookies, constant_path, 8, args.duration)
            print(
                f"  ceiling at 8 connections: {constant['rps']:.0f} req/s, "
                f"p99 {constant['p99_ms']:.1f} ms",
                file=sys.stderr,
            )
            mixed = measure.measure_mixed(
                bench, portal_paths, staff_paths, args.mixed_connections, args.mixed_duration
            )
        rows.append(
            {
                "worker_class": worker_class,
                "workers": workers,
                "threads": threads,
                "connection_header": connection,
                "constant_c8": constant,
                "mixed": mixed,
            }
        )
    return rows


def csv_summary(page: dict[str, Any], judged: bool = True) -> dict[str, Any]:
    seconds = page["c1"]["p50_ms"] / 1000
    worst = page["c1"]["max_ms"] / 1000
    growth = page.get("worker_peak_growth_mb")
    fast = worst < report.CSV_LIMIT_S
    lean = growth is not None and growth < report.CSV_MEMORY_LIMIT_MB
    errors = page["c1"]["errors"] + page["c8"]["errors"]
    verdict = "met" if fast and lean and not errors else "missed"
    if not judged:
        verdict = report.NOT_JUDGED
    how = "since reset" if page.get("peak_reset") else "of the lifetime peak (reset not allowed)"
    return {
        "seconds_p50": seconds,
        "seconds_max": worst,
        "worker_peak_growth_mb": growth,
        "verdict": verdict,
        "summary": (
            f"CSV export of {page['name'].split('(')[-1].rstrip(')')}: {seconds:.2f} s median, "
            f"{worst:.2f} s worst at 1 connection, {page['size_bytes'] / 1024 / 1024:.1f} MB; "
            f"worker peak memory growth {growth} MB ({how}) (target < "
            f"{report.CSV_LIMIT_S:g} s and < {report.CSV_MEMORY_LIMIT_MB:g} MB: {verdict})."
        ),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        print(report.rerender(args.output_dir), end="")
        return 0
    try:
        wrk.require_wrk()
    except wrk.WrkMissing as error:
        print(error, file=sys.stderr)
        return 2
    # A terminated run still stops its server (the ``with`` block below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = args.database_url or f"sqlite:///{DATA_DIR / f'bench-{args.entries}.sqlite'}"
    label = database_label(url)
    record = prepare_data(args, url)
    if args.generate_only:
        return 0
    facts = record["facts"]
    facts.setdefault("last_full_year", int(record["generated_at"][:4]) - 1)
    version = report.database_version(url)
    machine = report.machine(version)
    load_before = machine["load_average"]
    if args.compare_workers:
        measured: dict[str, Any] = {"worker_comparison": compare_workers(args, url, facts)}
    else:
        model = args.worker_class + (f" x {args.threads} threads" if args.threads > 1 else "")
        print(f"Measuring {args.workers} gunicorn {model} workers, {version}.", file=sys.stderr)
        log = DATA_DIR / f"server-{label}.log"
        with Server(url, args.workers, log, args.worker_class, args.threads) as server:
            measured = measure_all(args, sign_in(server, facts, staff_needed(args)), facts)
    now = dt.datetime.now(dt.UTC)
    machine["load_average"] = {"start": load_before, "end": report.load_average()}
    result = {
        "run": {
            "date": now.date().isoformat(),
            "finished_at": now.isoformat(timespec="seconds"),
            "entries": args.entries,
            "database": label,
            "quick": args.quick,
            "duration": args.duration,
            "mixed_duration": args.mixed_duration,
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "generator": "wrk",
            "compare_workers": args.compare_workers,
            "generation_seconds": record["generation_seconds"],
            "generation_phases": record["phases"],
            "reused_data": bool(record.get("reused")),
            "dataset": facts,
        },
        "machine": machine,
        **measured,
    }
    path, text = report.write(args.output_dir, result)
    print(text)
    print(f"Written to {path}", file=sys.stderr)
    if args.quick:
        print(
            "Smoke run finished: the harness works. It asserts nothing; " + report.QUICK_NOTE,
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
