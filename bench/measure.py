"""Measuring pages on a running server: a probe, a warm-up, then timed runs with wrk.

Every page is probed once by the Python client (status, size, SQL statements, whether it is
streamed), warmed up, then loaded by wrk at 1 and 8 connections, each connection signed in as
its own person. Around each run the CPU time of the gunicorn workers (app), of the PostgreSQL
backends (db) and of wrk itself (the generator) is read, so that each figure can be judged
against what the load generator took from the same two cores.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from bench import load, pages, report, wrk
from bench.server import Server, cpu_seconds, memory_kib, postgres_backends, reset_peak_memory

PAGE_LINK_RE = re.compile(r"[?&](?:amp;)?page=(\d+)")
PAGE_COUNT_RE = re.compile(r"page [\d,]+ of ([\d,]+)")
#: The app's PAGE_SIZE, used only when the page count cannot be read from the portal's page.
PAGE_SIZE = 50
CONCURRENCIES = (1, 8)


def last_page_number(html: str) -> int | None:
    numbers = [int(n) for n in PAGE_LINK_RE.findall(html)]
    numbers += [int(n.replace(",", "")) for n in PAGE_COUNT_RE.findall(html)]
    return max(numbers) if numbers else None


@dataclass
class Bench:
    """A running server and the people signed in to it."""

    server: Server
    portal_cookies: list[str]
    staff_cookies: list[str]
    notes: list[str] = field(default_factory=list)
    #: The last page number of each probed list, by its path.
    last_pages: dict[str, int] = field(default_factory=dict)

    def db_pids(self) -> list[int]:
        if self.server.database_url.startswith("sqlite"):
            return []
        return postgres_backends(make_url(self.server.database_url).database or "")


def timed(
    bench: Bench, run: Callable[[], dict[str, Any]], requests_of: str = "requests"
) -> dict[str, Any]:
    """``run()`` with the CPU time of the app and the database per request and their shares
    of the machine during the run."""
    app_pids, db_pids = bench.server.worker_pids(), bench.db_pids()
    app_before, db_before = cpu_seconds(app_pids), cpu_seconds(db_pids)
    summary = run()
    app, db = cpu_seconds(app_pids) - app_before, cpu_seconds(db_pids) - db_before
    done = max(summary[requests_of], 1)
    capacity = max(summary["seconds"], 1e-9) * (os.cpu_count() or 1)
    return summary | {
        "app_cpu_ms": round(app / done * 1000, 2),
        "db_cpu_ms": round(db / done * 1000, 2),
        "app_cpu_pct": round(100 * app / capacity, 1),
        "db_cpu_pct": round(100 * db / capacity, 1),
    }


def wrk_run(bench: Bench, cookies: list[str], path: str, connections: int, seconds: float) -> dict:
    identities = [wrk.Identity(cookies[k % len(cookies)], (path,)) for k in range(connections)]
    return timed(bench, lambda: wrk.run(bench.server.port, identities, connections, seconds))


def _resolve(bench: Bench, path: str, facts: dict[str, Any]) -> str | None:
    if "{last}" not in path:
        return path
    base = path.split("page={last}")[0].rstrip("?&")
    last = bench.last_pages.get(base)
    if last is None and base.startswith("/client-portal/"):
        last = -(-int(facts["bench_entries"]) // PAGE_SIZE)
        bench.notes.append(
            f"`{base}` shows no page links; its last page was taken as {last} "
            f"({facts['bench_entries']:,} entries / {PAGE_SIZE})."
        )
    return None if last is None else path.format(last=last)


def measure_list(
    bench: Bench,
    page_list: list[pages.Page],
    cookies: list[str],
    facts: dict[str, Any],
    duration: float,
    ceiling: dict[int, float],
    judge: Callable[[dict[str, Any], float], list[str]],
) -> list[dict[str, Any]]:
    client = load.HttpClient(bench.server.port, cookies)
    measured = []
    for key, name, template in page_list:
        path = _resolve(bench, template, facts)
        if path is None:
            measured.append({"key": key, "name": name, "path": template, "skipped": "no pages"})
            continue
        probe = client.get(path, keep_body=True)
        page: dict[str, Any] = {"key": key, "name": name, "path": path, "status": probe.status}
        if probe.status != 200:
            detail = probe.headers.get("location") or probe.body[:120].decode(errors="replace")
            page["skipped"] = f"{probe.status} at the probe"
            bench.notes.append(f"{name} (`{path}`) answered {probe.status} and was skipped.")
            print(f"  {name:<44} skipped ({probe.status}: {detail!r})", file=sys.stderr)
            measured.append(page)
            continue
        last = last_page_number(probe.body.decode(errors="replace"))
        if last is not None:
            bench.last_pages[path] = last
        page["size_bytes"] = probe.body_size
        page["content_type"] = probe.headers.get("content-type", "")
        count = probe.headers.get("x-query-count")
        page["queries"] = int(count) if count is not None else None
        if probe.headers.get("transfer-encoding", "").lower() == "chunked":
            page["streamed"] = True
        if key in pages.LIMITED_DOWNLOADS:
            _measure_limited(bench, client, page)
        else:
            load.run_load(client, [path], 2, 0.0, min_requests=6)  # warm-up
            for c in CONCURRENCIES:
                page[f"c{c}"] = wrk_run(bench, cookies, path, c, duration)
        if key == pages.CONSTANT[0]:
            ceiling.update({c: page[f"c{c}"]["rps"] for c in CONCURRENCIES})
        else:
            for c in CONCURRENCIES:
                page[f"ratio_c{c}"] = page[f"c{c}"]["rps"] / ceiling[c] if ceiling.get(c) else 0.0
            if key not in pages.DOWNLOAD_KEYS:
                page["misses"] = judge(page, ceiling.get(8, 0.0))
        measured.append(page)
        _print_page(page)
    return measured


def _measure_limited(bench: Bench, client: load.HttpClient, page: dict[str, Any]) -> None:
    """A rate-limited download: 3 one after another, then one by each of 8 users at once (the
    Python client; wrk cannot stop at a count), with the workers' peak memory growth."""
    path = page["path"]
    load.run_load(client, [path], 1, 0.0, min_requests=1)  # warm-up
    workers = bench.server.worker_pids()
    peak_reset = all(reset_peak_memory(pid) for pid in workers)
    before = {pid: memory_kib(pid)["VmRSS" if peak_reset else "VmHWM"] for pid in workers}
    for c in CONCURRENCIES:
        count = 3 if c == 1 else 8
        page[f"c{c}"] = timed(
            bench,
            lambda c=c, count=count: load.run_load(
                client, [path], c, 0.0, min_requests=count
            ).summary()
            | {"generator": "python"},
        )
        if c == 1:
            after = {pid: memory_kib(pid)["VmHWM"] for pid in before}
            growth = max((after[p] - before[p] for p in before), default=0) / 1024
            page["worker_peak_growth_mb"] = round(growth, 1)
            page["peak_reset"] = peak_reset
    bench.notes.append(
        f"{page['name']} is rate limited per user, so its row is 3 downloads one after another "
        "and then 8 at once by 8 users (Python client), not a timed run."
    )


def _print_page(page: dict[str, Any]) -> None:
    c1, c8 = page["c1"], page["c8"]
    print(
        f"  {page['name']:<44} {c1['rps']:7.0f} req/s p95 {c1['p95_ms']:7.1f} ms | "
        f"8 conn {c8['rps']:7.0f} req/s p95 {c8['p95_ms']:7.1f} ms | "
        f"CPU {c1['app_cpu_ms']:.1f}+{c1['db_cpu_ms']:.1f} ms | "
        f"wrk {c8.get('generator_cpu_pct', 0):.0f}% | SQL {page['queries']} | "
        f"errors {c1['errors'] + c8['errors']}"
        + (f" ({c1['first_error'] or c8['first_error']})" if c1["errors"] + c8["errors"] else ""),
        file=sys.stderr,
    )


def mixed_identities(
    portal: list[str], staff: list[str], portal_paths: list[str], staff_paths: list[str], n: int
) -> list[wrk.Identity]:
    """``n`` connections, alternately a portal user on the portal's pages and a staff member on
    the staff pages; each staff connection is its own person while there are enough of them."""
    identities = []
    for k in range(n):
        if k % 2 == 0 or not staff_paths:
            identities.append(wrk.Identity(portal[(k // 2) % len(portal)], tuple(portal_paths)))
        else:
            identities.append(wrk.Identity(staff[(k // 2) % len(staff)], tuple(staff_paths)))
    return identities


def measure_mixed(
    bench: Bench, portal_paths: list[str], staff_paths: list[str], connections: int, seconds: float
) -> dict[str, Any]:
    print(f"  mixed page set, {connections} connections, {seconds:g} s", file=sys.stderr)
    identities = mixed_identities(
        bench.portal_cookies, bench.staff_cookies, portal_paths, staff_paths, connections
    )
    mixed = timed(bench, lambda: wrk.run(bench.server.port, identities, connections, seconds))
    mixed["paths"] = portal_paths + staff_paths
    mixed["users"] = len({i.cookie for i in identities})
    print(
        f"  mixed: {mixed['rps']:.0f} req/s p99 {mixed['p99_ms']:.0f} ms, "
        f"errors {mixed['errors']} {mixed['first_error'] or ''}",
        file=sys.stderr,
    )
    return mixed


def measurable_paths(measured: list[dict[str, Any]]) -> list[str]:
    """The pages of a list that answered, but downloads and year reports: the mixed set."""
    return [
        p["path"]
        for p in measured
        if not p.get("skipped") and p["key"] not in pages.NOT_MIXED + (pages.CONSTANT[0],)
    ]


def judge_portal(page: dict[str, Any], ceiling_8: float) -> list[str]:
    return report.page_verdict(page, ceiling_8)


def judge_staff(page: dict[str, Any], _ceiling_8: float) -> list[str]:
    return report.staff_verdict(page)
