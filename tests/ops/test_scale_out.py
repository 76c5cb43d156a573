"""Two app servers behind nginx, one worker, one PostgreSQL and one Redis, all real processes.

nginx runs the site configuration printed in ``docs/deployment.md`` (TLS at the proxy, round
robin without sticky sessions, failover), with only its addresses and paths changed. Through it
the tests show that the app servers are interchangeable: a session, a CSRF token and the login
rate limit hold whichever server answers; the worker delivers an invoice email exactly once;
the client portal works; and a server stopped with SIGTERM in the middle of a load costs no
request and no acknowledged write. Which server answered a request is read from the servers' own
logs: nginx gives every request an id (``X-Request-ID``), the app writes it on the request's log
line and sends it back.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from limits import parse as parse_limit
from redis import Redis
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.conftest import _create_postgres_database, _drop_postgres_database, _worker
from tests.ops import servers
from tests.smtp import SmtpServer
from timetracker import migrate
from timetracker.config import load_config
from timetracker.db import make_engine
from timetracker.models import EmailDelivery, InvoiceStatus, TimeEntry

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.servers]

#: A Redis database that no other test uses (the suite's workers use 1 to 4, see conftest.py).
REDIS_DB = 9
APP_SERVERS = ("app-a", "app-b")
#: The load: client threads (twice as many requests at once as one app server has workers, so
#: that connections wait in the stopped server's queue); app-a gets SIGTERM after
#: STOP_AFTER answers; the load goes on until AFTER_EXIT requests were sent after app-a had
#: exited, and never beyond MAX_REQUESTS.
LOAD_THREADS = 4
STOP_AFTER = 60
AFTER_EXIT = 60
MAX_REQUESTS = 600


@dataclass
class Stack:
    base: str
    http_base: str
    cert: Path
    apps: dict[str, servers.Child]
    worker: servers.Child
    nginx: servers.Child
    smtp: SmtpServer
    maker: sessionmaker[Session]
    admin_email: str
    staff_email: str
    portal_email: str
    project_id: int
    draft_invoice_id: int
    draft_invoice_number: str
    sent_invoice_number: str

    def browser(self) -> requests.Session:
        web = servers.local_browser()
        web.verify = str(self.cert)  # trusts the proxy's certificate
        return web

    def form_token(self, web: requests.Session, path: str) -> str:
        page = web.get(self.base + path, timeout=30)
        assert page.status_code == 200, (path, page.status_code)
        return servers.csrf_token(page.text)

    def post(
        self, web: requests.Session, path: str, data: dict[str, str], page: str
    ) -> requests.Response:
        """POST as the browser would after opening ``page``: with its Referer (checked by the
        CSRF protection over HTTPS)."""
        return web.post(
            self.base + path,
            data=data,
            headers={"Referer": self.base + page},
            allow_redirects=False,
            timeout=30,
        )

    def sign_in(self, email: str, password: str = factories.PASSWORD) -> requests.Session:
        web = self.browser()
        token = self.form_token(web, "/login")
        answer = self.post(
            web, "/login", {"email": email, "password": password, "csrf_token": token}, "/login"
        )
        assert answer.status_code == 302, answer.text[:500]
        assert "Secure" in answer.headers["Set-Cookie"]
        return web

    def served_by(self, *answers: requests.Response) -> list[str]:
        """The app server that answered each of ``answers``, found by its request id in the
        servers' logs."""
        logs = {name: server.log_text() for name, server in self.apps.items()}
        found = []
        for answer in answers:
            request_id = answer.headers["X-Request-ID"]
            names = [name for name, text in logs.items() if request_id in text]
            assert len(names) == 1, f"request {request_id} in the logs of {names}"
            found.append(names[0])
        return found


def _make_data(maker: sessionmaker[Session], tag: str) -> dict[str, object]:
    with maker() as s:
        admin = factories.make_admin(s, email=f"admin-{tag}@example.com", name="Ada Admin")
        staff = factories.make_user(s, email=f"staff-{tag}@example.com")
        acme = factories.make_client(s, name="Acme Corp")
        project = factories.make_project(s, acme, name="Website")
        portal = factories.make_portal_user(s, acme, email=f"portal-{tag}@acme.example")
        sent = factories.make_invoice(s, acme, number=f"S-{tag}")
        draft = factories.make_invoice(s, acme, status=InvoiceStatus.DRAFT, number=f"D-{tag}")
        s.commit()
        return {
            "admin_email": admin.email,
            "staff_email": staff.email,
            "portal_email": portal.email,
            "project_id": project.id,
            "draft_invoice_id": draft.id,
            "draft_invoice_number": draft.number,
            "sent_invoice_number": sent.number,
        }


@contextlib.contextmanager
def _smtp_server() -> Iterator[SmtpServer]:
    smtp = SmtpServer("127.0.0.1", servers.free_port())
    controller = Controller(smtp, hostname=smtp.host, port=smtp.port)
    controller.start()
    try:
        yield smtp
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base_url = os.environ["TEST_DATABASE_URL"]
    name = f"{make_url(base_url).database}_{_worker()}_scale"
    url = _create_postgres_database(base_url, name)
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        maker = sessionmaker(bind=engine, expire_on_commit=False)
        data = _make_data(maker, uuid.uuid4().hex[:8])
        redis_url = re.sub(r"/\d*$", "", os.environ["REDIS_URL"].rstrip("/")) + f"/{REDIS_DB}"
        redis = Redis.from_url(redis_url)
        redis.flushdb()
        redis.close()
        with (
            _smtp_server() as smtp,
            servers.children(tmp_path_factory.mktemp("scale-out")) as started,
            servers.open_directory("tt-nginx-") as proxy_dir,
        ):
            yield _start_stack(started, proxy_dir, url, redis_url, smtp, maker, data)
    finally:
        engine.dispose()
        _drop_postgres_database(base_url, name)


def _start_stack(
    started: servers.Children,
    proxy_dir: Path,
    url: str,
    redis_url: str,
    smtp: SmtpServer,
    maker: sessionmaker[Session],
    data: dict[str, object],
) -> Stack:
    env = servers.server_environment(
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        TIMETRACKER_PROXY_HOPS="1",
        SESSION_COOKIE_SECURE="1",
        TIMETRACKER_BASE_URL="https://127.0.0.1",
        SMTP_HOST=smtp.host,
        SMTP_PORT=str(smtp.port),
        MAIL_FROM="billing@example.com",
        MAIL_ENABLED="1",
    )
    # The worker and both app servers boot at the same time (they take a while).
    worker = servers.spawn_worker(started, env)
    cert, key = servers.self_signed_certificate(proxy_dir)
    apps = servers.start_app_servers(started, APP_SERVERS, env)
    servers.wait_for_worker(worker)
    upstreams = (apps["app-a"].port, apps["app-b"].port)
    nginx, ports = servers.start_nginx(
        started,
        proxy_dir,
        lambda ports: servers.site_config_for_test(
            ports, cert, key, started.directory / "nginx-access.log"
        ),
        upstreams,
    )
    return Stack(
        base=f"https://127.0.0.1:{ports.https}",
        http_base=f"http://127.0.0.1:{ports.http}",
        cert=cert,
        apps={name: server.child for name, server in apps.items()},
        worker=worker,
        nginx=nginx,
        smtp=smtp,
        maker=maker,
        **data,  # type: ignore[arg-type]
    )


def test_sign_in_holds_whichever_server_answers(stack: Stack) -> None:
    web = stack.sign_in(stack.admin_email)
    pages = []
    for _ in range(6):
        page = web.get(f"{stack.base}/dashboard", allow_redirects=False, timeout=30)
        pages.append(page)
        assert page.status_code == 200, page.status_code
        assert "Ada Admin" in page.text
        # Exactly one HSTS header (requests would join two with a comma).
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    # Round robin without stickiness: both servers answered the same session.
    assert Counter(stack.served_by(*pages)) == {"app-a": 3, "app-b": 3}
    # Plain HTTP is sent to HTTPS.
    plain = servers.local_browser().get(
        stack.http_base + "/login", allow_redirects=False, timeout=30
    )
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")


def test_a_csrf_token_from_one_server_is_accepted_by_the_other(stack: Stack) -> None:
    web = stack.sign_in(stack.admin_email)
    crossed = 0
    for n in range(4):
        form = web.get(stack.base + "/time/new", timeout=30)
        token = servers.csrf_token(form.text)
        answer = stack.post(
            web,
            "/time/new",
            {
                "project": str(stack.project_id),
                "day": "2026-03-02",
                "start": "09:00",
                "end": "10:00",
                "notes": f"CSRF check {n}",
                "billable": "y",
                "csrf_token": token,
            },
            "/time/new",
        )
        assert answer.status_code == 302, answer.text[:1000]
        form_server, post_server = stack.served_by(form, answer)
        crossed += form_server != post_server
    assert crossed >= 2


def test_the_login_rate_limit_is_one_count_for_both_servers(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From one address, one account gets the documented number of attempts a minute, however
    the attempts are spread over the servers (the servers run with the default limits)."""
    for name in ("TIMETRACKER_LOGIN_LIMIT_ACCOUNT_IP", "TIMETRACKER_LOGIN_LIMIT_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    defaults = load_config({"TESTING": True})
    allowed = min(
        parse_limit(defaults[key]).amount
        for key in ("LOGIN_RATE_LIMIT_ACCOUNT_IP", "LOGIN_RATE_LIMIT_ACCOUNT")
    )
    assert allowed == 5  # as SECURITY.md documents
    web = stack.browser()
    token = stack.form_token(web, "/login")
    answers = [
        stack.post(
            web,
            "/login",
            {"email": stack.staff_email, "password": "wrong password", "csrf_token": token},
            "/login",
        )
        for _ in range(allowed + 1)
    ]
    assert [answer.status_code for answer in answers] == [400] * allowed + [429]
    # The attempts were spread over both servers: each alone saw fewer than the limit.
    counts = Counter(stack.served_by(*answers))
    assert set(counts) == set(APP_SERVERS)
    assert max(counts.values()) < allowed


def test_an_invoice_email_is_sent_once_by_the_worker(stack: Stack) -> None:
    web = stack.sign_in(stack.admin_email)
    page = f"/invoices/{stack.draft_invoice_id}"
    token = stack.form_token(web, page)
    answer = stack.post(web, f"{page}/send", {"csrf_token": token}, page)
    assert answer.status_code == 302, answer.text[:1000]

    def delivered() -> bool:
        with stack.maker() as s:
            statuses = s.scalars(
                select(EmailDelivery.status).where(
                    EmailDelivery.invoice_id == stack.draft_invoice_id
                )
            ).all()
        return statuses == ["sent"]

    servers.wait_until(delivered, "the invoice email to be sent", stack.worker, timeout=30)
    time.sleep(1)  # time for a second copy to arrive, if one were on its way
    # The other messages are the sign-in alerts of the module's new browsers (auth/browsers.py).
    invoice_emails = [m for m in stack.smtp.messages if "Invoice" in str(m["Subject"])]
    assert len(invoice_emails) == 1, [str(m["Subject"]) for m in stack.smtp.messages]
    (message,) = invoice_emails
    assert message["To"].addresses[0].addr_spec == stack.portal_email
    assert stack.draft_invoice_number in message["Subject"]
    # The worker sent it (the app servers only queued it).
    assert "invoice email delivery" in stack.worker.log_text()


def test_the_client_portal_works_through_the_proxy(stack: Stack) -> None:
    web = stack.sign_in(stack.portal_email)
    pages = [web.get(f"{stack.base}/client-portal/invoices", timeout=30) for _ in range(2)]
    for page in pages:
        assert page.status_code == 200
        assert stack.sent_invoice_number in page.text
    assert set(stack.served_by(*pages)) == set(APP_SERVERS)
    assert web.get(stack.base + "/client-portal/dashboard", timeout=30).status_code == 200
    assert web.get(stack.base + "/dashboard", timeout=30).status_code == 403


@dataclass
class Sent:
    at: float
    answer: requests.Response


@dataclass
class LoadResult:
    sent: list[Sent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    #: When app-a's process had exited (time.monotonic()).
    exited: float | None = None

    def sent_after_exit(self) -> list[Sent]:
        exited = self.exited
        return [] if exited is None else [one for one in self.sent if one.at > exited]


def _load(stack: Stack, cookies: dict[str, str], token: str, tag: str) -> LoadResult:
    """Requests from LOAD_THREADS threads, one in five creating a time entry, with app-a
    stopped (SIGTERM) on the way; see the constants above."""
    app_a = stack.apps["app-a"]
    result = LoadResult()
    lock = threading.Lock()
    numbers = itertools.count()
    pages = ["/dashboard", "/time", "/projects", "/invoices", "/reports"]

    def watch_app_a() -> None:
        app_a.process.wait()
        with lock:
            result.exited = time.monotonic()

    def finished() -> bool:
        with lock:
            return len(result.sent_after_exit()) >= AFTER_EXIT

    def client() -> None:
        web = stack.browser()
        web.cookies.update(cookies)
        while not finished():
            n = next(numbers)
            if n >= MAX_REQUESTS:
                return
            notes = f"Load {tag} {n}"
            at = time.monotonic()
            try:
                if n % 5 == 4:
                    with lock:
                        result.writes.append(notes)
                    entry = {
                        "project": str(stack.project_id),
                        "day": "2026-03-03",
                        "start": "08:00",
                        "duration": "0:15",
                        "notes": notes,
                        "csrf_token": token,
                    }
                    answer = stack.post(web, "/time/new", entry, "/time/new")
                    expected = 302
                else:
                    path = pages[n % len(pages)]
                    answer = web.get(stack.base + path, allow_redirects=False, timeout=30)
                    expected = 200
            except requests.RequestException as error:
                with lock:
                    result.errors.append(f"request {n}: {error!r}")
                continue
            with lock:
                result.sent.append(Sent(at, answer))
                if answer.status_code != expected:
                    result.errors.append(f"request {n}: {answer.status_code} {answer.text[:300]}")
                elif expected == 302:
                    result.acknowledged.append(notes)
                stop = len(result.sent) == STOP_AFTER
            if stop:
                app_a.process.send_signal(signal.SIGTERM)
                threading.Thread(target=watch_app_a, daemon=True).start()

    clients = [threading.Thread(target=client) for _ in range(LOAD_THREADS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=120)
    return result


def test_stopping_one_server_under_load_costs_no_request(stack: Stack) -> None:
    """app-a gets SIGTERM while four clients keep both servers busy: its workers finish the
    requests in hand and answer the connections already waiting, then it stops listening and
    exits, and nginx sends everything else to app-b. No client sees an error, and every time
    entry whose creation was acknowledged (302) is in the database."""
    web = stack.sign_in(stack.admin_email)
    token = stack.form_token(web, "/time/new")
    tag = uuid.uuid4().hex[:8]
    result = _load(stack, web.cookies.get_dict(), token, tag)

    nginx_errors = (stack.nginx.log.parent / "nginx-error.log").read_text(errors="replace")
    assert result.errors == [], nginx_errors[-3000:]
    # app-a stopped gracefully (exit status 0) while the load went on; app-b answered every
    # request sent after that.
    assert stack.apps["app-a"].stop(timeout=40) == 0, stack.apps["app-a"].log_text()[-3000:]
    after_exit = result.sent_after_exit()
    assert len(after_exit) >= AFTER_EXIT
    assert set(stack.served_by(*(one.answer for one in after_exit))) == {"app-b"}
    served = Counter(stack.served_by(*(one.answer for one in result.sent)))
    assert served["app-a"] >= STOP_AFTER // 4

    with stack.maker() as s:
        stored = s.scalars(select(TimeEntry.notes).where(TimeEntry.notes.like(f"Load {tag} %")))
        stored_notes = sorted(stored)
    assert result.acknowledged  # writes were part of the load
    assert sorted(result.acknowledged) == sorted(result.writes)  # every write was answered 302
    assert stored_notes == sorted(result.acknowledged)
    print(
        f"\nscale-out load: {len(result.sent)} requests, app-a answered {served['app-a']}, "
        f"app-b {served['app-b']} ({len(after_exit)} after app-a had exited); "
        f"{len(stored_notes)} acknowledged writes, all stored"
    )
