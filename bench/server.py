"""The real server under test: ``timetracker serve`` (gunicorn) as a subprocess, and logging in."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import requests

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timetracker_command() -> list[str]:
    script = Path(sys.executable).with_name("timetracker")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from timetracker.cli import main; main()"]


#: Sign-ins per minute from one address the bench server allows: the run signs in one person
#: per connection (dozens), above the product's default of 20 (SECURITY.md).
BENCH_LOGIN_LIMIT_IP = "600 per minute"


def gunicorn_cmd_args(worker_class: str, threads: int) -> str:
    """``GUNICORN_CMD_ARGS`` for a worker model: ``timetracker serve`` takes only
    ``--workers``, and gunicorn reads the rest from this variable (its command line, which sets
    only the bind address and the workers, wins over it; the variable over the config file)."""
    if worker_class == "sync":
        return "--worker-class sync"
    return f"--worker-class {worker_class} --threads {threads}"


class Server:
    """``timetracker serve --host 127.0.0.1 --port <free> --workers N`` with the bench flag,
    and the worker class and threads in ``GUNICORN_CMD_ARGS``."""

    def __init__(
        self,
        database_url: str,
        workers: int,
        log_path: Path,
        worker_class: str = "sync",
        threads: int = 1,
        secret_key: str | None = None,
    ) -> None:
        """``secret_key``: the same for several servers keeps a session cookie valid on all."""
        self.database_url = database_url
        self.secret_key = secret_key or secrets.token_hex(32)
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        env = dict(os.environ)
        # Self-contained: in-process rate limit storage, inline jobs, no mail.
        for name in ("REDIS_URL", "SMTP_HOST", "MAIL_ENABLED", "TIMETRACKER_DEBUG"):
            env.pop(name, None)
        env.update(
            DATABASE_URL=self.database_url,
            SECRET_KEY=self.secret_key,
            TIMETRACKER_BENCH="1",
            TIMETRACKER_LOGIN_LIMIT_IP=BENCH_LOGIN_LIMIT_IP,
            # Its own data folder (the PDF cache, uploads), not the checkout's instance/.
            TIMETRACKER_DATA=str(self.log_path.parent / f"server-data-{self.port}"),
            GUNICORN_CMD_ARGS=gunicorn_cmd_args(self.worker_class, self.threads),
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        command = [
            *_timetracker_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                answered = requests.get(self.base + "/login", timeout=10).status_code == 200
                # Both workers must be up before measuring.
                if answered and len(self.worker_pids()) >= self.workers:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def connection_header(self, path: str) -> str:
        """The ``Connection`` header the server answers to a client that keeps connections
        alive (HTTP/1.1, as wrk): ``close`` from sync workers, which close after every
        response."""
        with requests.Session() as session:
            response = session.get(self.base + path, timeout=10)
            return response.headers.get("Connection", "")

    def describe(self) -> str:
        per = f" x {self.threads} threads" if self.worker_class != "sync" else ""
        return f"{self.workers} {self.worker_class} workers{per}"

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master (the process we started)."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return [int(c) for c in children]
        except OSError:
            pass
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found

    def login(self, email: str, password: str) -> str:
        """Log in through the login form; returns the Cookie header of the signed-in session.

        One login serves every connection: the account's login rate limit would refuse one
        login per connection, and a session cookie is valid on any number of connections.
        """
        return sign_in(self.base, email, password)


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the login form of the server at ``base``; returns the Cookie header of
    the signed-in session."""
    with requests.Session() as session:
        page = session.get(base + "/login", timeout=10)
        match = CSRF_RE.search(page.text)
        if not match:
            raise RuntimeError("no CSRF token on the login page")
        response = session.post(
            base + "/login",
            data={"email": email, "password": password, "csrf_token": match.group(1)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login as {email} failed with status {response.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (gone processes count zero)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL backend processes connected to ``database`` (their title names it)."""
    pids = []
    needle = f" {database} ".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and needle in title:
            pids.append(int(cmdline.parent.name))
    return pids


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak_memory(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux ``clear_refs`` 5); False where not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True
