"""Lighthouse mobile performance of the portal and staff pages (issue 19).

    python -m bench.lighthouse                       # starts `timetracker serve` on demo data
    python -m bench.lighthouse --base-url http://127.0.0.1:5000 --label after

Lighthouse itself is not installed here: point ``--lighthouse`` (or ``LIGHTHOUSE``) at its CLI,
installed once with ``npm install --no-save --prefix .cache/lighthouse lighthouse@12.8.2``
(12.x is the last line that runs on Node 20). Without either, ``npx --yes lighthouse@12.8.2``
is used. The browser is Debian's Chromium (``CHROME_PATH``, default ``/usr/bin/chromium``).

Each page is measured ``--runs`` times (default 3) with Lighthouse's default mobile profile
(simulated slow 4G, 4x CPU slowdown), performance category only, signed in through a Cookie
header. The median run of each page is reported with its main audits, in
``bench/results/lighthouse-<date>[-label].md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests

from bench.server import Server, sign_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
LIGHTHOUSE_VERSION = "12.8.2"
LOCAL_CLI = ROOT / ".cache" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
TARGET_SCORE = 98

PORTAL_LOGIN = ("portal@acme.example", "portal-demo-pass")
STAFF_LOGIN = ("sam@example.com", "staff-demo-pass")

CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)

#: The audits reported beside the score: (audit id, short name).
AUDITS = (
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "SI"),
    ("render-blocking-resources", "render-blocking"),
    ("unused-css-rules", "unused CSS"),
    ("uses-text-compression", "text compression"),
    ("uses-long-cache-ttl", "cache policy"),
)

INVOICE_LINK_RE = re.compile(r'href="(/client-portal/invoices/\d+)"')


def pages(base: str, portal_cookie: str) -> list[tuple[str, str, str]]:
    """(name, url, role) of the measured pages; the invoice detail is the first listed one."""
    listing = requests.get(
        base + "/client-portal/invoices?status=all", headers={"Cookie": portal_cookie}, timeout=30
    )
    listing.raise_for_status()
    match = INVOICE_LINK_RE.search(listing.text)
    if not match:
        raise RuntimeError("the demo client has no invoice to open")
    return [
        ("portal dashboard", base + "/client-portal/dashboard", "portal"),
        ("portal invoices", base + "/client-portal/invoices", "portal"),
        ("portal invoice detail", base + match.group(1), "portal"),
        ("staff dashboard", base + "/dashboard", "staff"),
        ("staff time list", base + "/time", "staff"),
    ]


def lighthouse_command(cli: str | None) -> list[str]:
    cli = cli or os.environ.get("LIGHTHOUSE")
    if cli:
        return ["node", cli] if cli.endswith(".js") else [cli]
    if LOCAL_CLI.exists():
        return ["node", str(LOCAL_CLI)]
    if shutil.which("npx") is None:
        raise SystemExit("Lighthouse not found: install Node.js, or pass --lighthouse")
    return ["npx", "--yes", f"lighthouse@{LIGHTHOUSE_VERSION}"]


def run_once(command: list[str], url: str, cookie: str, workdir: Path) -> dict[str, Any]:
    """One Lighthouse run; returns the score and the main audits."""
    headers = workdir / "headers.json"
    headers.write_text(json.dumps({"Cookie": cookie}))
    report = workdir / "report.json"
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    subprocess.run(
        [
            *command,
            url,
            "--only-categories=performance",
            "--output=json",
            f"--output-path={report}",
            f"--extra-headers={headers}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--quiet",
        ],
        env=env,
        check=True,
        timeout=300,
    )
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        raise RuntimeError(f"Lighthouse failed on {url}: {data['runtimeError']}")
    if not data["finalDisplayedUrl"].startswith(url.split("?")[0]):
        raise RuntimeError(f"{url} redirected to {data['finalDisplayedUrl']}: not signed in?")
    audits = data["audits"]
    result: dict[str, Any] = {"score": round(data["categories"]["performance"]["score"] * 100)}
    for audit_id, _name in AUDITS:
        audit = audits.get(audit_id, {})
        result[audit_id] = {
            "score": audit.get("score"),
            "value": audit.get("numericValue"),
            "display": audit.get("displayValue", ""),
        }
    result["transfer_kib"] = round(audits["total-byte-weight"]["numericValue"] / 1024, 1)
    return result


def run_with_retries(
    command: list[str], url: str, cookie: str, workdir: Path, attempts: int = 3
) -> dict[str, Any]:
    """A run, tried again when Lighthouse itself fails (it now and then loses the trace of a
    page load: ``NO_NAVSTART``); a page that fails every time stops the benchmark."""
    for attempt in range(1, attempts + 1):
        try:
            return run_once(command, url, cookie, workdir)
        except (subprocess.CalledProcessError, RuntimeError) as error:
            if attempt == attempts or "redirected" in str(error):
                raise
            print(f"  Lighthouse failed ({error}); trying again", file=sys.stderr)
    raise AssertionError("unreachable")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median score (ties broken by LCP), so its audits belong together."""
    ordered = sorted(runs, key=lambda r: (r["score"], -r["largest-contentful-paint"]["value"]))
    return ordered[len(ordered) // 2]


def measure(base: str, runs: int, cli: str | None) -> list[dict[str, Any]]:
    command = lighthouse_command(cli)
    cookies = {"portal": sign_in(base, *PORTAL_LOGIN), "staff": sign_in(base, *STAFF_LOGIN)}
    results = []
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        for name, url, role in pages(base, cookies["portal"]):
            page_runs = []
            for number in range(runs):
                print(f"{name}: run {number + 1}/{runs}", file=sys.stderr)
                page_runs.append(run_with_retries(command, url, cookies[role], Path(tmp)))
            scores = [r["score"] for r in page_runs]
            results.append(
                {
                    "page": name,
                    "path": url.removeprefix(base),
                    "scores": scores,
                    "median_score": statistics.median(scores),
                    "median_run": median_run(page_runs),
                    "runs": page_runs,
                }
            )
    return results


def markdown(record: dict[str, Any]) -> str:
    lines = [
        f"# Lighthouse mobile performance — {record['date']}"
        + (f" ({record['label']})" if record["label"] else ""),
        "",
        f"Lighthouse {record['lighthouse']}, Chromium `{record['chrome']}`, mobile profile "
        f"(simulated throttling), performance only, {record['runs']} runs per page; "
        f"target: median ≥ {TARGET_SCORE}. Server: `{record['server']}`.",
        "",
        "| page | scores | median | FCP | LCP | TBT | CLS | SI | transfer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page in record["pages"]:
        run = page["median_run"]
        lines.append(
            f"| {page['page']} | {', '.join(map(str, page['scores']))} | "
            f"**{page['median_score']:g}** | "
            + " | ".join(
                run[audit]["display"]
                for audit in (
                    "first-contentful-paint",
                    "largest-contentful-paint",
                    "total-blocking-time",
                    "cumulative-layout-shift",
                    "speed-index",
                )
            )
            + f" | {run['transfer_kib']} KiB |"
        )
    lines += ["", "Opportunities in the median run (✓: nothing to gain):", ""]
    lines += ["| page | render-blocking | unused CSS | text compression | cache policy |"]
    lines += ["|---|---|---|---|---|"]
    for page in record["pages"]:
        run = page["median_run"]
        cells = [
            run[audit]["display"] or "✓"
            for audit in (
                "render-blocking-resources",
                "unused-css-rules",
                "uses-text-compression",
                "uses-long-cache-ttl",
            )
        ]
        lines.append(f"| {page['page']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _version(command: list[str]) -> str:
    try:
        return subprocess.run(
            [*command, "--version"], capture_output=True, text=True, check=True, timeout=120
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return LIGHTHOUSE_VERSION


def _chrome_version() -> str:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    try:
        out = subprocess.run([chrome, "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.strip()
    except OSError:
        return chrome


def start_demo_server(tmp: Path, workers: int) -> Server:
    """``timetracker serve`` (gunicorn) on a fresh SQLite database with the demo data."""
    from timetracker import migrate

    url = f"sqlite:///{tmp / 'lighthouse.db'}"
    migrate.upgrade(url)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32))
    script = Path(sys.executable).with_name("timetracker")
    subprocess.run([str(script), "demo-data", "--if-empty"], env=env, check=True)
    server = Server(url, workers, tmp / "server.log")
    server.start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a server with the demo data (default: start one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--label", default="", help="suffix of the result files, e.g. before")
    parser.add_argument("--lighthouse", help="the Lighthouse CLI (index.js or an executable)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)

    command = lighthouse_command(args.lighthouse)
    with tempfile.TemporaryDirectory(prefix="lighthouse-server-") as tmp:
        server = None if args.base_url else start_demo_server(Path(tmp), args.workers)
        try:
            base = (args.base_url or server.base).rstrip("/")  # type: ignore[union-attr]
            page_results = measure(base, args.runs, args.lighthouse)
        finally:
            if server is not None:
                server.stop()
    today = dt.date.today().isoformat()
    record = {
        "date": today,
        "label": args.label,
        "lighthouse": _version(command),
        "chrome": _chrome_version(),
        "runs": args.runs,
        "server": args.base_url or f"timetracker serve --workers {args.workers} (demo data)",
        "target": TARGET_SCORE,
        "pages": page_results,
    }
    stem = f"lighthouse-{today}" + (f"-{args.label}" if args.label else "")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / f"{stem}.json").write_text(json.dumps(record, indent=2) + "\n")
    text = markdown(record)
    (args.out_dir / f"{stem}.md").write_text(text)
    print(text)
    below = [p["page"] for p in page_results if p["median_score"] < TARGET_SCORE]
    if below:
        print(f"Below {TARGET_SCORE}: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
