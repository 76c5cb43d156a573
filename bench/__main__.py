"""``python -m bench``: generate a dataset, serve it with the real server, measure the portal.

    python -m bench --entries 1000000                      # SQLite under bench/data/
    python -m bench --entries 100000 --database-url postgresql+psycopg://postgres@127.0.0.1/tt_bench
    python -m bench --entries 10000 --quick                # the CI smoke run (no assertions)

Full runs write ``bench/results/<date>-<entries>-<database>.{md,json}`` and
``latest-<database>.md``; quick runs write under ``bench/data/results/`` (not committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import dataset, load, loader, report
from bench.server import Server, cpu_seconds, memory_kib, postgres_backends, reset_peak_memory

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
PAGE_LINK_RE = re.compile(r"[?&](?:amp;)?page=(\d+)")
PAGE_COUNT_RE = re.compile(r"page [\d,]+ of ([\d,]+)")
#: The app's PAGE_SIZE, used only when the page count cannot be read from the page.
PAGE_SIZE = 50


def last_page_number(html: str) -> int | None:
    numbers = [int(n) for n in PAGE_LINK_RE.findall(html)]
    numbers += [int(n.replace(",", "")) for n in PAGE_COUNT_RE.findall(html)]
    return max(numbers) if numbers else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="time entries to generate")
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file under bench/data/; a PostgreSQL database named "
        "*bench* is dropped and recreated",
    )
    parser.add_argument("--quick", action="store_true", help="short measurements (smoke run)")
    parser.add_argument("--duration", type=float, help="seconds per page and concurrency")
    parser.add_argument("--mixed-duration", type=float, help="seconds of the 50-connection mix")
    parser.add_argument("--mixed-connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the database of an earlier run at the same scale (migrations still applied)",
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only rewrite the Markdown of the results in --output-dir from their JSON",
    )
    parser.add_argument("--output-dir", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    if args.entries < 1000:
        parser.error("--entries must be at least 1000")
    if args.duration is None:
        args.duration = 0.5 if args.quick else 5.0
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
    data = dataset.generate(args.entries, hash_password(dataset.PORTAL_PASSWORD))
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


def page_list(facts: dict[str, Any]) -> list[tuple[str, str, str]]:
    entries = "/client-portal/time-entries"
    return [
        ("constant", "Trivial route (ceiling)", "/__bench/constant"),
        ("dashboard", "Dashboard", "/client-portal/dashboard"),
        ("projects", "Projects", "/client-portal/projects"),
        ("invoices_all", "Invoices: all", "/client-portal/invoices?status=all"),
        ("invoices_unpaid", "Invoices: unpaid", "/client-portal/invoices?status=unpaid"),
        ("invoices_overdue", "Invoices: overdue", "/client-portal/invoices?status=overdue"),
        (
            "invoice_detail",
            f"Invoice detail ({facts['invoice_items']} lines)",
            f"/client-portal/invoices/{facts['invoice_id']}",
        ),
        ("entries_first", "Time entries: first page", entries),
        ("entries_last", "Time entries: last page", entries + "?page={last}"),
        (
            "entries_project",
            f"Time entries: one project ({facts['project_entries']:,})",
            f"{entries}?project_id={facts['project_id']}",
        ),
        (
            "entries_month",
            "Time entries: one month",
            f"{entries}?date_from={facts['month_from']}&date_to={facts['month_to']}",
        ),
        ("csv", f"CSV export ({facts['bench_entries']:,} entries)", entries + ".csv"),
    ]


def measure_pages(args: argparse.Namespace, server: Server, facts: dict[str, Any]) -> dict:
    database = make_url(server.database_url).database or ""
    is_postgres = not server.database_url.startswith("sqlite")

    def db_processes() -> list[int]:
        return postgres_backends(database) if is_postgres else []

    emails = facts.get("portal_emails") or [facts["portal_email"]]
    client = load.HttpClient(
        server.port, [server.login(email, dataset.PORTAL_PASSWORD) for email in emails]
    )
    pages: list[dict[str, Any]] = []
    notes: list[str] = []
    csv_result: dict[str, Any] | None = None
    last_page = None
    mixed_paths = []
    trivial_rps = {1: 0.0, 8: 0.0}
    for key, name, path in page_list(facts):
        if "{last}" in path:
            if last_page is None:
                pages.append({"key": key, "name": name, "path": path, "skipped": "no pages"})
                continue
            path = path.format(last=last_page)
        probe = client.get(path, keep_body=True)
        page: dict[str, Any] = {"key": key, "name": name, "path": path, "status": probe.status}
        if probe.status == 404:
            page["skipped"] = "404: not built yet"
            notes.append(f"{name} (`{path}`) answered 404 and was skipped.")
            pages.append(page)
            print(f"  {name:<40} skipped (404)", file=sys.stderr)
            continue
        if key == "entries_first":
            last_page = last_page_number(probe.body.decode(errors="replace"))
            if last_page is None:
                last_page = -(-int(facts["bench_entries"]) // PAGE_SIZE)
                notes.append(
                    f"The first time entries page shows no page links; the last page was "
                    f"taken as {last_page} ({facts['bench_entries']:,} entries / {PAGE_SIZE})."
                )
        page["size_bytes"] = probe.body_size
        page["content_type"] = probe.headers.get("content-type", "")
        count = probe.headers.get("x-query-count")
        page["queries"] = int(count) if count is not None else None
        if probe.headers.get("transfer-encoding", "").lower() == "chunked":
            page["streamed"] = True
        heavy = key == "csv"
        load.run_load(client, [path], 2, 0.0, min_requests=1 if heavy else 6)  # warm-up
        before: dict[int, int] = {}
        peak_reset = False
        if heavy:
            workers = server.worker_pids()
            peak_reset = all(reset_peak_memory(pid) for pid in workers)
            before = {pid: memory_kib(pid)["VmRSS" if peak_reset else "VmHWM"] for pid in workers}
        runs = {}
        cpu = {}
        for concurrency in (1, 8):
            app_pids, db_pids = server.worker_pids(), db_processes()
            app_before, db_before = cpu_seconds(app_pids), cpu_seconds(db_pids)
            if heavy:
                # Exports are rate limited per user (10 a minute): a fixed number of them,
                # 3 one after another, then one by each of 8 users at once.
                runs[concurrency] = load.run_load(
                    client, [path], concurrency, 0.0, min_requests=3 if concurrency == 1 else 8
                )
            else:
                runs[concurrency] = load.run_load(
                    client, [path], concurrency, args.duration, min_requests=5
                )
            done = max(runs[concurrency].requests, 1)
            cpu[concurrency] = {
                "app_cpu_ms": round((cpu_seconds(app_pids) - app_before) / done * 1000, 2),
                "db_cpu_ms": round((cpu_seconds(db_pids) - db_before) / done * 1000, 2),
            }
            if heavy and concurrency == 1:
                after = {pid: memory_kib(pid)["VmHWM"] for pid in before}
                growth = max((after[p] - before[p] for p in before), default=0) / 1024
                page["worker_peak_growth_mb"] = round(growth, 1)
                page["peak_reset"] = peak_reset
        page["c1"] = runs[1].summary() | cpu[1]
        page["c8"] = runs[8].summary() | cpu[8]
        if key == "constant":
            trivial_rps = {1: runs[1].rps, 8: runs[8].rps}
        else:
            page["ratio_c1"] = runs[1].rps / trivial_rps[1] if trivial_rps[1] else 0.0
            page["ratio_c8"] = runs[8].rps / trivial_rps[8] if trivial_rps[8] else 0.0
            if key != "csv":
                page["misses"] = report.page_verdict(page, trivial_rps[8])
                mixed_paths.append(path)
        if key == "csv":
            notes.append(
                "The CSV export is rate limited to 10 a minute per user, so its row is 3 exports "
                "one after another and then 8 at once by 8 users, not a timed run."
            )
            csv_result = csv_summary(page, judged=not args.quick)
            page["csv_verdict"] = csv_result["verdict"]
        pages.append(page)
        print(
            f"  {name:<40} {page['c1']['rps']:7.0f} req/s p95 {page['c1']['p95_ms']:7.1f} ms | "
            f"8 conn {page['c8']['rps']:7.0f} req/s p95 {page['c8']['p95_ms']:7.1f} ms | "
            f"CPU {page['c1']['app_cpu_ms']:.1f}+{page['c1']['db_cpu_ms']:.1f} ms | "
            f"SQL {page['queries']} | errors {page['c1']['errors'] + page['c8']['errors']}",
            file=sys.stderr,
        )
    mixed = None
    if mixed_paths:
        print(
            f"  mixed page set, {args.mixed_connections} connections, {args.mixed_duration:g} s",
            file=sys.stderr,
        )
        mixed = load.run_load(
            client, mixed_paths, args.mixed_connections, args.mixed_duration
        ).summary()
        mixed["paths"] = mixed_paths
    if any(p.get("streamed") for p in pages):
        notes.append(
            "SQL/req of a streamed response counts the statements run before its first byte."
        )
    return {"pages": pages, "mixed": mixed, "csv": csv_result, "notes": notes}


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
        report.rerender(args.output_dir)
        return 0
    # A terminated run still stops its server (the ``with`` block below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = args.database_url or f"sqlite:///{DATA_DIR / f'bench-{args.entries}.sqlite'}"
    label = database_label(url)
    record = prepare_data(args, url)
    if args.generate_only:
        return 0
    version = report.database_version(url)
    machine = report.machine(version)
    load_before = machine["load_average"]
    print(f"Measuring with {args.workers} gunicorn workers ({version}).", file=sys.stderr)
    with Server(url, args.workers, DATA_DIR / f"server-{label}.log") as server:
        measured = measure_pages(args, server, record["facts"])
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
            "workers": args.workers,
            "generation_seconds": record["generation_seconds"],
            "generation_phases": record["phases"],
            "reused_data": bool(record.get("reused")),
            "dataset": record["facts"],
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
