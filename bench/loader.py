"""Bulk loading of a :class:`bench.dataset.Dataset` into a fresh database built by the migrations.

SQLite: one transaction of ``executemany`` on the driver connection. PostgreSQL: ``COPY`` via
psycopg. On both, the secondary indexes (and on PostgreSQL the foreign keys) of the big tables
are dropped for the load and recreated from their own saved definitions afterwards, which is
several times faster than maintaining them row by row and leaves exactly the migrated schema.
The recreated unique indexes and foreign keys check the data (SQLite: ``PRAGMA
foreign_key_check``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.dataset import TASKS, Dataset
from bench.progress import Progress
from timetracker import migrate

CHUNK = 50_000
NULL = "\\N"

COLUMNS: dict[str, tuple[str, ...]] = {
    "settings": (
        "id",
        "company_name",
        "company_address",
        "company_email",
        "currency",
        "timezone",
        "locale",
        "invoice_prefix",
        "payment_terms_days",
        "default_tax_rate",
        "invoice_rounding_minutes",
    ),
    "clients": (
        "id",
        "name",
        "contact_email",
        "address",
        "currency",
        "default_hourly_rate",
        "is_active",
        "created_at",
    ),
    "users": (
        "id",
        "email",
        "name",
        "password_hash",
        "role",
        "is_active",
        "session_version",
        "created_at",
        "client_portal_enabled",
        "client_id",
        "invoice_emails_enabled",
    ),
    "projects": (
        "id",
        "client_id",
        "name",
        "description",
        "status",
        "billable",
        "hourly_rate",
        "budget_hours",
        "budget_amount",
        "created_at",
    ),
    "invoices": (
        "id",
        "number",
        "client_id",
        "project_id",
        "issue_date",
        "due_date",
        "status",
        "currency",
        "tax_rate",
        "subtotal",
        "tax_amount",
        "total",
        "amount_paid",
        "notes",
        "sent_at",
        "paid_at",
        "created_at",
    ),
    "invoice_items": (
        "id",
        "invoice_id",
        "position",
        "description",
        "quantity",
        "unit_price",
        "amount",
    ),
    "payments": ("id", "invoice_id", "amount", "paid_on", "method", "reference", "created_at"),
    "invoice_sequences": ("year", "last_number"),
    "time_entries": (
        "id",
        "user_id",
        "project_id",
        "client_id",
        "start_time",
        "end_time",
        "duration_seconds",
        "notes",
        "billable",
        "invoice_item_id",
        "created_at",
    ),
}
#: Tables whose secondary indexes (and, on PostgreSQL, foreign keys) are rebuilt after loading.
BIG_TABLES = ("invoices", "invoice_items", "payments", "time_entries")


def total_rows(data: Dataset) -> int:
    return sum(len(rows) for _, rows in _small_tables(data)) + len(data.entries) + len(data.running)


def _small_tables(data: Dataset) -> list[tuple[str, Sequence[tuple]]]:
    return [
        ("settings", data.settings),
        ("clients", data.clients),
        ("users", data.users),
        ("projects", data.projects),
        ("invoices", data.invoices),
        ("invoice_items", data.invoice_items),
        ("payments", data.payments),
        ("invoice_sequences", data.invoice_sequences),
    ]


def _entry_chunks(
    data: Dataset, day_texts: list[str], minute_texts: list[str], row: Callable[..., Any]
) -> Iterator[list[Any]]:
    """Time entry rows in chunks, with timestamps already written as the database's text."""
    e = data.entries
    notes = TASKS
    count = len(e)
    for first in range(0, count, CHUNK):
        last = min(count, first + CHUNK)
        chunk = []
        for i in range(first, last):
            day = day_texts[e.day[i]]
            start = e.start[i]
            duration = e.duration[i]
            end = day + minute_texts[start + duration]
            chunk.append(
                row(
                    i + 1,
                    e.user[i],
                    e.project[i],
                    e.client[i],
                    day + minute_texts[start],
                    end,
                    duration * 60,
                    notes[e.task[i]],
                    e.billable[i],
                    e.item[i],
                    end,
                )
            )
        yield chunk


def _running_rows(data: Dataset) -> list[tuple]:
    first_id = len(data.entries) + 1
    return [
        (first_id + k, user, project, client, start, None, None, "Timer running", True, None, start)
        for k, (user, project, client, start) in enumerate(data.running)
    ]


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _insert_sql(table: str) -> str:
    columns = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def load_sqlite(url: str, data: Dataset) -> dict[str, float]:
    path = Path(make_url(url).database or "")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    timings: dict[str, float] = {}
    step = Progress("schema (migrations)", 1, "steps")
    migrate.upgrade(url)
    timings["schema"] = step.close()

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")
        connection.execute("PRAGMA temp_store=MEMORY")
        connection.execute("BEGIN")
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({', '.join('?' for _ in BIG_TABLES)})",
            BIG_TABLES,
        ).fetchall()
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')

        bar = Progress("inserting rows", total_rows(data))
        for table, rows in _small_tables(data):
            for chunk in _chunks(rows):
                connection.executemany(
                    _insert_sql(table), [tuple(map(_sqlite_value, r)) for r in chunk]
                )
                bar.advance(len(chunk))
        day_texts = [f"{day.isoformat()} " for day in data.days]
        minute_texts = [f"{m // 60:02d}:{m % 60:02d}:00.000000" for m in range(1440)]

        def row(*values: Any) -> tuple:
            values = list(values)
            values[8] = int(values[8])
            values[9] = values[9] or None
            return tuple(values)

        entry_sql = _insert_sql("time_entries")
        for chunk in _entry_chunks(data, day_texts, minute_texts, row):
            connection.executemany(entry_sql, chunk)
            bar.advance(len(chunk))
        running = [tuple(map(_sqlite_value, r)) for r in _running_rows(data)]
        connection.executemany(entry_sql, running)
        bar.advance(len(running))
        timings["insert"] = bar.close()

        bar = Progress("rebuilding indexes", len(indexes), "indexes")
        for _name, sql in indexes:
            connection.execute(sql)
            bar.advance()
        timings["indexes"] = bar.close()
        connection.execute("COMMIT")
        step = Progress("checking foreign keys", 1, "steps")
        problems = connection.execute("PRAGMA foreign_key_check").fetchmany(5)
        if problems:
            raise RuntimeError(f"generated data breaks foreign keys: {problems}")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        timings["check"] = step.close()
    finally:
        connection.close()
    return timings


def _chunks(rows: Sequence[tuple], size: int = CHUNK) -> Iterable[Sequence[tuple]]:
    for first in range(0, len(rows), size):
        yield rows[first : first + size]


# --- PostgreSQL --------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database named in ``url``; only names containing "bench"."""
    import psycopg

    name = make_url(url).database or ""
    if "bench" not in name or not name.replace("_", "").isalnum():
        raise SystemExit(
            f"Refusing to recreate the PostgreSQL database {name!r}: the benchmark drops and "
            "recreates its database, so its name must contain 'bench' (e.g. tt_bench)."
        )
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _pg_text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def load_postgres(url: str, data: Dataset) -> dict[str, float]:
    import psycopg

    timings: dict[str, float] = {}
    step = Progress("schema (migrations)", 1, "steps")
    recreate_postgres_database(url)
    migrate.upgrade(url)
    timings["schema"] = step.close()

    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET synchronous_commit = off")
        foreign_keys = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            (list(BIG_TABLES),),
        ).fetchall()
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public'"
            " AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            " WHERE c.conname = i.indexname)",
            (list(BIG_TABLES),),
        ).fetchall()
        for table, name, _definition in foreign_keys:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')

        bar = Progress("copying rows", total_rows(data))
        with conn.cursor() as cursor:
            for table, rows in _small_tables(data):
                columns = ", ".join(COLUMNS[table])
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for chunk in _chunks(rows):
                        copy.write("".join("\t".join(map(_pg_text, r)) + "\n" for r in chunk))
                        bar.advance(len(chunk))
            day_texts = [f"{day.isoformat()} " for day in data.days]
            minute_texts = [f"{m // 60:02d}:{m % 60:02d}:00+00" for m in range(1440)]

            def row(
                id_: int,
                user: int,
                project: int,
                client: int,
                start: str,
                end: str,
                seconds: int,
                notes: str,
                billable: bool,
                item: int,
                created: str,
            ) -> str:
                return (
                    f"{id_}\t{user}\t{project}\t{client}\t{start}\t{end}\t{seconds}\t{notes}"
                    f"\t{'t' if billable else 'f'}\t{item or NULL}\t{created}\n"
                )

            columns = ", ".join(COLUMNS["time_entries"])
            with cursor.copy(f"COPY time_entries ({columns}) FROM STDIN") as copy:
                for chunk in _entry_chunks(data, day_texts, minute_texts, row):
                    copy.write("".join(chunk))
                    bar.advance(len(chunk))
                running = _running_rows(data)
                copy.write("".join("\t".join(map(_pg_text, r)) + "\n" for r in running))
                bar.advance(len(running))
        timings["insert"] = bar.close()

        bar = Progress("indexes, foreign keys", len(indexes) + len(foreign_keys), "steps")
        for _name, definition in indexes:
            conn.execute(definition)
            bar.advance()
        for table, name, definition in foreign_keys:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            bar.advance()
        for table in ("users", "clients", "projects", *BIG_TABLES, "settings"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        conn.commit()
        timings["indexes"] = bar.close()

    step = Progress("vacuum analyze", 1, "steps")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["check"] = step.close()
    return timings


def rebuild_derived(url: str) -> None:
    """Recompute the tables the ORM keeps in step with time entries (the bulk load bypassed
    it): the monthly totals, when the schema has them."""
    try:
        from timetracker.models import time_totals
    except ImportError:
        return
    from sqlalchemy import inspect

    from timetracker.db import make_engine

    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(time_totals.TimeEntryMonth.__tablename__):
            return
        with engine.begin() as connection:
            time_totals.rebuild(connection)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE time_entry_months")
    finally:
        engine.dispose()


def load(url: str, data: Dataset) -> dict[str, float]:
    timings = load_sqlite(url, data) if url.startswith("sqlite") else load_postgres(url, data)
    step = Progress("derived totals", 1, "steps")
    rebuild_derived(url)
    timings["derived"] = step.close()
    return timings
