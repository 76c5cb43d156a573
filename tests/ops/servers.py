"""Real servers for the operations tests, run as child processes: ``timetracker serve`` and
``timetracker worker``, nginx in front of them (with the site configuration printed in
``docs/deployment.md``), a private PostgreSQL cluster that a test may stop, a TLS certificate.

Every child runs in its own process group with its output in a log file, so that a test can
read what a server wrote, stop one server with a signal of its choice, and kill whatever is
left at the end (``Children``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMETRACKER = str(BIN / "timetracker")
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
#: The first line of the nginx site configuration in the deployment guide.
SITE_CONFIG_MARKER = "# /etc/nginx/sites-available/timetracker"
SECRET_KEY = "operations-test-secret-key-0123456789abcdef"
IN_CI = os.environ.get("TIMETRACKER_CI") == "1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_program(path: str | None, package: str) -> str:
    """The program's path; without it the test is skipped, or fails in CI (TIMETRACKER_CI=1)."""
    if path and os.access(path, os.X_OK):
        return path
    message = f"needs the Debian package {package} (apt-get install {package})"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def server_environment(**settings: str) -> dict[str, str]:
    """The environment of a server: this one without any TimeTracker setting of the machine
    that runs the tests (they would change what is tested), plus ``settings``."""
    own = ("TIMETRACKER_", "SMTP_", "MAIL_", "RQ_")
    names = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL"}
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(own) and key not in names and key != "SESSION_COOKIE_SECURE"
    }
    env["SECRET_KEY"] = SECRET_KEY
    env.update(settings)
    return env


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``timetracker ARGS``; its output, or a failure with what it said."""
    done = subprocess.run(  # noqa: S603 - our own command
        [TIMETRACKER, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"timetracker {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


# Child processes ---------------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 40) -> int:
        """Send ``sig`` to the process itself (gunicorn's master, nginx's master) and wait."""
        if self.running():
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not stop within {timeout} s") from None

    def kill(self) -> None:
        """Kill the whole process group (a server and its workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@dataclass
class Children:
    """The children a test started; ``close()`` kills the ones still running."""

    directory: Path
    started: list[Child] = field(default_factory=list)

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.directory / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, process, log)
        self.started.append(child)
        return child

    def close(self) -> None:
        for child in reversed(self.started):
            child.kill()


@contextlib.contextmanager
def children(directory: Path) -> Iterator[Children]:
    started = Children(directory)
    try:
        yield started
    finally:
        started.close()


def wait_until(check: Callable[[], bool], what: str, child: Child, timeout: float = 60) -> None:
    """Poll ``check`` until it holds; fail early, with the child's log, if the child exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.running():
            raise AssertionError(
                f"{child.name} exited while waiting for {what}:\n{child.log_text()}"
            )
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{child.log_text()[-4000:]}")


def local_browser() -> requests.Session:
    """A client for the servers on this machine: no proxy or CA bundle from the environment."""
    web = requests.Session()
    web.trust_env = False
    return web


def answers(url: str) -> bool:
    with local_browser() as web:
        try:
            web.get(url, timeout=5, allow_redirects=False)
        except requests.RequestException:
            return False
    return True


#: Attempts at starting a server whose free port another process took in the meantime (the
#: machine is shared: a port is free when picked, and an app server binds it seconds later).
PORT_ATTEMPTS = 3


def _bound(server: Child, port: int) -> bool | None:
    """Whether gunicorn listens on ``port`` (None: not yet, False: it cannot)."""
    text = server.log_text()
    if f"Listening at: http://127.0.0.1:{port} " in text:
        return True
    if not server.running():
        return False
    return None


@dataclass
class AppServer:
    child: Child
    port: int


def start_app_servers(
    started: Children, names: tuple[str, ...], env: dict[str, str], timeout: float = 120
) -> dict[str, AppServer]:
    """``timetracker serve --workers 2`` for each name, all starting at once, each on a free
    127.0.0.1 port; returns once every one answers. A server whose port was taken by another
    process before it could bind is started again on another port."""

    def spawn(name: str, attempt: int) -> AppServer:
        port = free_port()
        command = [TIMETRACKER, "serve", "--host", "127.0.0.1", "--port", str(port)]
        label = name if attempt == 1 else f"{name}-attempt{attempt}"
        return AppServer(started.spawn(label, [*command, "--workers", "2"], env), port)

    attempts = dict.fromkeys(names, 1)
    pending = {name: spawn(name, 1) for name in names}
    ready: dict[str, AppServer] = {}
    deadline = time.monotonic() + timeout
    while pending:
        for name, server in list(pending.items()):
            state = _bound(server.child, server.port)
            if state and answers(f"http://127.0.0.1:{server.port}/login"):
                ready[name] = pending.pop(name)
            elif state is False:
                log = server.child.log_text()
                server.child.kill()
                if "Connection in use" not in log or attempts[name] == PORT_ATTEMPTS:
                    raise AssertionError(f"{name} did not start:\n{log[-4000:]}")
                attempts[name] += 1
                pending[name] = spawn(name, attempts[name])
        if time.monotonic() > deadline:
            logs = "\n".join(s.child.log_text()[-2000:] for s in pending.values())
            raise AssertionError(f"timed out waiting for {sorted(pending)}:\n{logs}")
        time.sleep(0.1)
    return ready


def start_app_server(started: Children, name: str, env: dict[str, str]) -> AppServer:
    return start_app_servers(started, (name,), env)[name]


def spawn_worker(started: Children, env: dict[str, str]) -> Child:
    """``timetracker worker`` (see ``wait_for_worker``)."""
    return started.spawn("worker", [TIMETRACKER, "worker"], env)


def wait_for_worker(worker: Child) -> None:
    wait_until(lambda: "Listening on" in worker.log_text(), "the worker to listen", worker)


# TLS and nginx -----------------------------------------------------------------------------------


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key) that a client can be told to trust."""
    openssl = require_program(shutil.which("openssl"), "openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def documented_site_config() -> str:
    """The nginx site configuration exactly as ``docs/deployment.md`` prints it."""
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    match = re.search(r"```nginx\n(" + re.escape(SITE_CONFIG_MARKER) + r".*?)```", text, re.S)
    assert match, f"{DEPLOYMENT_DOC} has no nginx block starting with {SITE_CONFIG_MARKER!r}"
    return match.group(1)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the documented nginx configuration no longer contains {old!r}"
    return text.replace(old, new)


@dataclass(frozen=True)
class SitePorts:
    https: int
    http: int
    upstreams: tuple[int, int]


def site_config_for_test(ports: SitePorts, cert: Path, key: Path, access_log: Path) -> str:
    """The documented site with this machine's ports, certificate and log: only addresses and
    paths change, every directive is the documented one."""
    site = documented_site_config()
    for documented, port in zip(("127.0.0.1:8001", "127.0.0.1:8002"), ports.upstreams, strict=True):
        site = _replace(site, f"server {documented} ", f"server 127.0.0.1:{port} ")
    site = _replace(site, "    listen [::]:443 ssl;\n", "")
    site = _replace(site, "    listen [::]:80;\n", "")
    site = _replace(site, "listen 443 ssl;", f"listen 127.0.0.1:{ports.https} ssl;")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{ports.http};")
    site = _replace(site, "/etc/ssl/timetracker/fullchain.pem", str(cert))
    site = _replace(site, "/etc/ssl/timetracker/privkey.pem", str(key))
    return _replace(site, "/var/log/nginx/timetracker.access.log", str(access_log))


def nginx_main_config(directory: Path, site: Path, error_log: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, with every path in
    ``directory``: nginx runs in the foreground as the test's child."""
    return f"""daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {error_log} notice;
events {{
    worker_connections 256;
}}
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {site};
}}
"""


def start_nginx(
    started: Children,
    directory: Path,
    site_for: Callable[[SitePorts], str],
    upstreams: tuple[int, int],
) -> tuple[Child, SitePorts]:
    """nginx in the foreground with the site ``site_for(ports)`` on free ports, once it accepts
    connections; its error log is ``nginx-error.log`` beside the other children's logs.

    ``directory`` holds nginx's files and must be reachable by its worker processes, which
    run as ``nobody`` when nginx is started as root (see ``open_directory``); the logs are
    opened by its master."""
    nginx = require_program(shutil.which("nginx") or "/usr/sbin/nginx", "nginx")
    conf = directory / "nginx.conf"
    site = directory / "timetracker.conf"
    error_log = started.directory / "nginx-error.log"
    conf.write_text(nginx_main_config(directory, site, error_log), encoding="utf-8")
    command = [nginx, "-p", str(directory), "-e", str(error_log), "-c", str(conf)]
    for _ in range(PORT_ATTEMPTS):
        ports = SitePorts(free_port(), free_port(), upstreams)
        site_config = site_for(ports)
        site.write_text(site_config, encoding="utf-8")
        checked = subprocess.run(  # noqa: S603
            [*command, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        assert checked.returncode == 0, f"nginx -t:\n{checked.stderr}\n{site_config}"
        proxy = started.spawn("nginx", command)

        def listening(port: int = ports.https) -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

        deadline = time.monotonic() + 30
        while proxy.running() and not listening() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = error_log.read_text(errors="replace") if error_log.exists() else ""
        taken = f"{ports.https} failed" in log or f"{ports.http} failed" in log
        if proxy.running() and listening() and not taken:
            return proxy, ports
        proxy.kill()  # a port was taken meanwhile: try others
    raise AssertionError(f"nginx did not start:\n{error_log.read_text(errors='replace')}")


@contextlib.contextmanager
def open_directory(prefix: str, owner: str | None = None) -> Iterator[Path]:
    """A fresh directory under the system's temporary folder that other users can reach
    (pytest's own temporary folders are private to the user running the tests), optionally
    owned by ``owner``; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        path.chmod(0o755)
        if owner is not None:
            shutil.chown(path, owner, owner)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# A private PostgreSQL cluster --------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest installed PostgreSQL server's programs (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    initdb = require_program(str(found[-1]) if found else None, "postgresql")
    return Path(initdb).parent


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the test's own on 127.0.0.1:``port``, which it may stop and start
    (the machine's shared server is never touched). PostgreSQL refuses to run as root: then
    every server command runs as the ``postgres`` user, who owns ``directory``."""

    directory: Path
    port: int
    bin: Path = field(default_factory=postgres_bin)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(  # noqa: S603
            [*prefix, *command],
            cwd=self.directory,
            env={**os.environ, "LC_ALL": "C"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        log = self.directory / "postgres.log"
        server_log = log.read_text(errors="replace") if log.exists() else ""
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}\n{server_log}"

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        return self.url(name)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    owner = "postgres" if os.geteuid() == 0 else None
    with open_directory("tt-postgres-", owner) as directory:
        cluster = PrivatePostgres(directory, free_port())
        cluster.init()
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                cluster.start()
                break
            except AssertionError as error:
                if "Address already in use" not in str(error) or attempt == PORT_ATTEMPTS:
                    raise
                cluster.port = free_port()  # taken meanwhile by another process
        try:
            yield cluster
        finally:
            with contextlib.suppress(AssertionError):
                cluster.stop()


# HTTP helpers ------------------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)
