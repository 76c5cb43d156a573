"""``python -m bench.documents_bench``: invoice PDF render time and CSV export time and memory.

    python -m bench.documents_bench                         # 1,000,000 entries, SQLite file
    python -m bench.documents_bench --entries 100000 --database-url \\
        postgresql+psycopg://postgres@127.0.0.1/tt_docbench  # a *bench* database is recreated
    python -m bench.documents_bench --entries 10000 --pdf-runs 2   # a quick smoke run

Measures, and asserts nothing:

* a 50-line invoice's PDF, rendered and downloaded from the portal (median of ``--pdf-runs``):
  "first" a version not in the PDF cache (emptied before each: WeasyPrint runs, wall and CPU
  time), "repeat" the same version again (a hit: its HTML built and hashed, the file read);
* the portal's CSV export of every entry of one client, through the real view and a streamed
  response, in a fresh child process: wall time, rows per second, bytes, and the growth of the
  resident set (peak RSS minus RSS before the request) with RSS samples along the way; flat
  samples are what "constant memory" looks like.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

PORTAL_EMAIL = "portal@docbench.example"
PORTAL_PASSWORD = "docbench-portal-password"  # noqa: S105 - synthetic benchmark account
BATCH = 20_000
SAMPLE_EVERY_ROWS = 100_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.documents_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries of the client")
    parser.add_argument(
        "--database-url",
        help="default: a new SQLite file in a temporary directory; a PostgreSQL database whose "
        "name contains 'bench' is dropped and recreated",
    )
    parser.add_argument("--pdf-runs", type=int, default=10, help="timed PDF renders")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--measure-csv", help=argparse.SUPPRESS)  # the child process
    return parser.parse_args(argv)


def rss_kib() -> int:
    """The current resident set size in KiB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def make_app(database_url: str, pdf_cache: Path | None = None) -> Any:
    """The app; its PDF cache in ``pdf_cache`` (none without it), never in the data folder."""
    from timetracker import create_app

    return create_app(
        {
            "PDF_CACHE_DIR": str(pdf_cache) if pdf_cache else None,
            "TESTING": False,
            "DEBUG": False,
            "SECRET_KEY": "documents-bench-secret-key-0123456789",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_ENABLED": False,
        }
    )


# Data -----------------------------------------------------------------------------------------
def prepare_database(url: str | None, workdir: Path) -> str:
    from timetracker import migrate
    from timetracker.db import make_engine

    if url is None:
        url = f"sqlite:///{workdir / 'documents-bench.db'}"
    elif url.startswith("postgresql"):
        parsed = make_url(url)
        name = parsed.database or ""
        if "bench" not in name:
            raise SystemExit(
                "refusing to recreate a PostgreSQL database without 'bench' in its name"
            )
        admin = make_engine(
            parsed.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    migrate.upgrade(url)
    return url


def generate(app: Any, entries: int) -> dict[str, int]:
    """One client with a portal user, five projects, ten staff, ``entries`` completed entries
    (a few with text a spreadsheet would take for a formula), and a 50-line invoice."""
    from timetracker import db, firm
    from timetracker.auth.passwords import hash_password
    from timetracker.billing import invoicing
    from timetracker.models import Client, Project, Role, TimeEntry, User

    rng = random.Random(5)  # noqa: S311 - synthetic data
    with app.app_context():
        session = db.session
        firm.get_settings().company_name = "Müller & Søn Consulting €"
        firm.get_settings().company_address = "Hauptstraße 1\n10115 Berlin"
        client = Client(
            name="Müller & Søn €", address="Øster Allé 2\n2100 København", currency="EUR"
        )
        session.add(client)
        session.flush()
        projects = [Project(client_id=client.id, name=f"Project {i}") for i in range(5)]
        staff = [
            User(
                email=f"staff{i}@docbench.example",
                name=f"Staff Jörg {i}",
                password_hash="-",  # noqa: S106
                role=Role.STAFF,
            )
            for i in range(10)
        ]
        portal = User(
            email=PORTAL_EMAIL,
            name="Portal User",
            password_hash=hash_password(PORTAL_PASSWORD),
            role=Role.CLIENT,
            client_portal_enabled=True,
            client_id=client.id,
        )
        session.add_all([*projects, *staff, portal])
        session.flush()
        invoice = invoicing.new_invoice(session, client, issue_date=dt.date(2026, 3, 1))
        for i in range(50):
            invoicing.add_item(
                session,
                invoice,
                f"Line {i + 1}: Entwicklung und Größenänderung, Projekt {i % 5}",
                Decimal(rng.randint(1, 4000)) / 100,
                Decimal("95.50"),
            )
        invoicing.mark_sent(session, invoice)
        session.commit()
        client_id, invoice_id = client.id, invoice.id
        project_ids = [p.id for p in projects]
        user_ids = [u.id for u in staff]

    engine = app.extensions["timetracker.engine"]
    table = TimeEntry.__table__
    start = dt.datetime(2023, 1, 2, 8, tzinfo=dt.UTC)
    notes = ["Design review", "Implementation", "=SUM(A1:A9)", "Client call – Grüße", "+49 call"]
    done = 0
    began = time.perf_counter()
    with engine.begin() as connection:
        while done < entries:
            rows = []
            for i in range(done, min(done + BATCH, entries)):
                begin = start + dt.timedelta(minutes=7 * i)
                seconds = rng.randint(3, 48) * 300
                rows.append(
                    {
                        "user_id": user_ids[i % len(user_ids)],
                        "project_id": project_ids[i % len(project_ids)],
                        "client_id": client_id,
                        "start_time": begin,
                        "end_time": begin + dt.timedelta(seconds=seconds),
                        "duration_seconds": seconds,
                        "notes": notes[i % len(notes)],
                        "billable": i % 7 != 0,
                        "created_at": begin,
                    }
                )
            connection.execute(insert(table), rows)
            done += len(rows)
            print(f"\r  generated {done:,} / {entries:,} entries", end="", file=sys.stderr)
    print(f" in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE time_entries"))
    return {"client_id": client_id, "invoice_id": invoice_id}


# Measurements ---------------------------------------------------------------------------------
def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


STATISTICS = {"median": statistics.median, "min": min, "max": max}


def summary(timings: list[float]) -> dict[str, float]:
    return {f"{name}_s": round(of(timings), 4) for name, of in STATISTICS.items()}


def first_and_repeat(make: Callable[[], bytes], runs: int, pdf_cache: Path) -> dict[str, Any]:
    """``runs`` PDFs of a version not in the cache (emptied before each), then ``runs`` of the
    same version again: cache hits, which return what the last render kept."""
    first, first_cpu, repeat, pdf = [], [], [], b""
    for _ in range(runs):
        shutil.rmtree(pdf_cache, ignore_errors=True)
        cpu = time.process_time()
        seconds, pdf = timed(make)
        first_cpu.append(time.process_time() - cpu)
        first.append(seconds)
    for _ in range(runs):
        seconds, again = timed(make)
        assert again == pdf
        repeat.append(seconds)
    assert len(list(pdf_cache.glob("*.pdf"))) == 1
    return {"runs": runs, "first": summary(first), "first_cpu": summary(first_cpu),
            "repeat": summary(repeat), "pdf": pdf}  # fmt: skip


def measure_pdf(app: Any, invoice_id: int, runs: int, pdf_cache: Path) -> dict[str, Any]:
    """The invoice's PDF rendered, and downloaded by its client from the portal."""
    from pypdf import PdfReader
    from sqlalchemy.orm import joinedload, selectinload

    from timetracker import db
    from timetracker.documents.pdf import render_invoice_html, render_invoice_pdf
    from timetracker.models import Invoice

    with app.app_context():
        invoice = db.session.get(
            Invoice,
            invoice_id,
            options=[
                joinedload(Invoice.client),
                selectinload(Invoice.items),
                selectinload(Invoice.payments),
            ],
        )
        assert invoice is not None and len(invoice.items) == 50
        shutil.rmtree(pdf_cache, ignore_errors=True)
        cold = timed(lambda: render_invoice_pdf(invoice))[0]
        results = first_and_repeat(lambda: render_invoice_pdf(invoice), runs, pdf_cache)
        html = [timed(lambda: render_invoice_html(invoice))[0] for _ in range(runs)]
    pdf = results.pop("pdf")
    client = app.test_client()
    response = client.post("/login", data={"email": PORTAL_EMAIL, "password": PORTAL_PASSWORD})
    assert response.status_code == 302, response.status_code

    def download() -> bytes:
        response = client.get(f"/client-portal/invoices/{invoice_id}/pdf")
        assert response.status_code == 200, response.status_code
        return response.get_data()

    downloads = first_and_repeat(download, runs, pdf_cache)
    del downloads["pdf"]
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {**results, "items": 50, "pages": pages, "bytes": len(pdf), "html": summary(html),
            "process_first_render_s": round(cold, 3), "download": downloads}  # fmt: skip


def measure_csv_child(database_url: str) -> dict[str, Any]:
    """Runs in a fresh process: export every entry through the portal view, streamed."""
    app = make_app(database_url)
    client = app.test_client()
    response = client.post("/login", data={"email": PORTAL_EMAIL, "password": PORTAL_PASSWORD})
    assert response.status_code == 302, response.status_code
    client.get("/client-portal/time-entries.csv?date_from=2099-01-01").close()  # warm-up
    rss_before = rss_kib()
    samples: list[tuple[int, int]] = []
    rows = -1  # the header
    size = 0
    next_sample = SAMPLE_EVERY_ROWS
    began = time.perf_counter()
    response = client.get("/client-portal/time-entries.csv", buffered=False)
    assert response.status_code == 200, response.status_code
    first_byte: float | None = None
    peak = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - began
        size += len(chunk)
        rows += chunk.count(b"\r\n")
        growth = rss_kib() - rss_before
        peak = max(peak, growth)
        if rows >= next_sample:
            samples.append((rows, growth))
            next_sample += SAMPLE_EVERY_ROWS
    response.close()
    elapsed = time.perf_counter() - began
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(rows / elapsed) if elapsed else None,
        "time_to_first_byte_s": round(first_byte or 0, 3),
        "rss_before_kib": rss_before,
        "peak_rss_growth_kib": peak,
        #: The process's lifetime peak includes the login's Argon2 hash (64 MiB by design).
        "process_peak_rss_kib": peak_rss_kib(),
        "rss_growth_samples_kib": samples,
    }


def measure_csv(database_url: str) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, "-m", "bench.documents_bench", "--measure-csv", database_url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return json.loads(child.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _ms(t: dict[str, float]) -> str:
    return f"{t['median_s'] * 1e3:.1f} ms (min {t['min_s'] * 1e3:.1f}, max {t['max_s'] * 1e3:.1f})"


def report(results: dict[str, Any]) -> str:
    pdf, downloads, csv = results["pdf"], results["pdf"]["download"], results["csv"]
    invoice = f"50-line invoice ({pdf['pages']} pages, {pdf['bytes'] / 1024:.0f} KiB)"
    samples = ", ".join(f"{r:,}: {kib / 1024:.1f}" for r, kib in csv["rss_growth_samples_kib"])
    return "\n".join(
        [
            f"# Documents benchmark ({results['database']}, {results['entries']:,} entries)",
            "",
            "| measurement | value |",
            "|---|---|",
            f"| PDF of a {invoice}, first render (not cached): median of {pdf['runs']} | "
            f"{_ms(pdf['first'])}; CPU {_ms(pdf['first_cpu'])}; the process's very first: "
            f"{pdf['process_first_render_s'] * 1000:.0f} ms |",
            f"| PDF of the same invoice, repeat (cached): median of {pdf['runs']} | "
            f"{_ms(pdf['repeat'])}; of which its HTML: {_ms(pdf['html'])} |",
            f"| Portal download of the invoice PDF, first (not cached): median of "
            f"{downloads['runs']} | {_ms(downloads['first'])}; CPU {_ms(downloads['first_cpu'])} |",
            f"| Portal download of the invoice PDF, repeat (cached): median of "
            f"{downloads['runs']} | {_ms(downloads['repeat'])} |",
            f"| CSV export, {csv['rows']:,} rows ({csv['bytes'] / 1024 / 1024:.1f} MiB) | "
            f"{csv['seconds']:.1f} s ({csv['rows_per_second']:,} rows/s; first byte after "
            f"{csv['time_to_first_byte_s'] * 1000:.0f} ms) |",
            f"| CSV export, peak RSS growth during the export (sampled every chunk) | "
            f"{csv['peak_rss_growth_kib'] / 1024:.1f} MiB (process RSS before: "
            f"{csv['rss_before_kib'] / 1024:.0f} MiB) |",
            f"| CSV export, RSS growth by rows (MiB) | {samples or 'n/a'} |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("TIMETRACKER_DEV", "1")
    if args.measure_csv:
        print(json.dumps(measure_csv_child(args.measure_csv)))
        return
    with tempfile.TemporaryDirectory(prefix="documents-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        pdf_cache = Path(workdir) / "pdf-cache"
        app = make_app(url, pdf_cache)
        ids = generate(app, args.entries)
        print("  rendering PDFs", file=sys.stderr)
        pdf = measure_pdf(app, ids["invoice_id"], args.pdf_runs, pdf_cache)
        app.extensions["timetracker.engine"].dispose()
        print("  exporting CSV", file=sys.stderr)
        csv = measure_csv(url)
        results = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": make_url(url).get_backend_name(),
            "entries": args.entries,
            "pdf": pdf,
            "csv": csv,
        }
        print(report(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
