"""Rate limits hold exactly across workers: the documented numbers, not one share per process.

* the database storage (``timetracker-db://``, the default without Redis) counts atomically:
  threads hammering one counter see every count once, on SQLite and on PostgreSQL;
* a real ``timetracker serve --workers 2`` without Redis, answering bursts of concurrent
  requests on separate connections (gunicorn's access log names the worker of each), allows
  exactly the documented attempts: per account and address, per address, per account across
  addresses, and portal CSV exports; and the same server with Redis does too.

Several addresses come from one machine through ``TIMETRACKER_PROXY_HOPS=1`` and
``X-Forwarded-For`` (the address a trusted proxy would pass on).
"""

from __future__ import annotations

import collections
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import time_machine
from limits import parse
from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from tests.conftest import _create_postgres_database, _drop_postgres_database, _worker
from tests.factories import PASSWORD, make_client, make_portal_user
from tests.ops.servers import children, run_cli, server_environment, start_app_server
from timetracker import config, migrate
from timetracker.db import make_engine
from timetracker.models import RateLimitCounter
from timetracker.portal.downloads import CSV_LIMIT
from timetracker.ratelimits import DatabaseStorage

# Starts real servers or programs: `make test-servers` (and .ci/run), not `make test`.
pytestmark = pytest.mark.servers

SECRET = "rate-limit-test-secret-0123456789abcdef"
OWNER = "owner@example.com"
DEFAULTS = {key: parse(default) for key, (_name, default) in config.DEFAULT_LOGIN_LIMITS.items()}
PER_ACCOUNT_AND_ADDRESS = DEFAULTS["LOGIN_RATE_LIMIT_ACCOUNT_IP"]
PER_ACCOUNT = DEFAULTS["LOGIN_RATE_LIMIT_ACCOUNT"]
PER_ADDRESS = DEFAULTS["LOGIN_RATE_LIMIT_IP"]
CSV = parse(CSV_LIMIT)
#: Concurrent requests in a burst: more than one worker is always busy.
THREADS = 8


# The storage ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ratelimits') / 'storage.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _hammer(storage: DatabaseStorage, key: str, threads: int, hits: int) -> list[int]:
    """``threads`` threads, released together, each hitting ``key`` ``hits`` times."""
    start = threading.Barrier(threads)
    counts: list[int] = []

    def worker() -> list[int]:
        start.wait()
        return [storage.incr(key, 600) for _ in range(hits)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for result in pool.map(lambda _: worker(), range(threads)):
            counts.extend(result)
    return counts


def test_concurrent_hits_on_sqlite_each_get_their_own_count(sqlite_engine: Engine) -> None:
    storage = DatabaseStorage(engine=sqlite_engine)
    key = f"hammer-{uuid.uuid4().hex}"
    counts = _hammer(storage, key, threads=4, hits=25)
    assert sorted(counts) == list(range(1, 101))
    assert storage.get(key) == 100


def test_a_window_counts_until_it_ends_then_starts_again(sqlite_engine: Engine) -> None:
    storage = DatabaseStorage(engine=sqlite_engine)
    key, other = f"window-{uuid.uuid4().hex}", f"other-{uuid.uuid4().hex}"
    with time_machine.travel(1_900_000_000.0, tick=False) as clock:
        assert [storage.incr(key, 60) for _ in range(3)] == [1, 2, 3]
        assert storage.incr(key, 60, amount=2) == 5
        assert storage.incr(other, 30) == 1
        assert storage.get(key) == 5
        assert storage.get_expiry(key) == 1_900_000_060.0
        clock.shift(59)
        assert storage.incr(key, 60) == 6  # the window started at the first hit
        clock.shift(1)
        assert storage.get(key) == 0
        assert storage.get_expiry(key) == 1_900_000_060.0  # no window: now
        assert storage.incr(key, 60) == 1
        assert storage.get_expiry(key) == 1_900_000_120.0
        # Cleaning drops ended windows only.
        assert storage.delete_expired() >= 1
        with sqlite_engine.connect() as connection:
            keys = set(connection.scalars(select(RateLimitCounter.key)))
        assert key in keys and other not in keys
        storage.clear(key)
        assert storage.get(key) == 0
        storage.incr(key, 60)
        assert storage.reset() >= 1
        assert storage.get(key) == 0
    assert storage.check()


@pytest.mark.postgres
def test_concurrent_hits_on_postgresql_each_get_their_own_count() -> None:
    base = os.environ["TEST_DATABASE_URL"]
    name = f"{make_url(base).database}_{_worker()}_ratelimits"
    url = _create_postgres_database(base, name)
    try:
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=THREADS)
        try:
            storage = DatabaseStorage(engine=engine)
            counts = _hammer(storage, "hammer", threads=THREADS, hits=50)
            assert sorted(counts) == list(range(1, THREADS * 50 + 1))
            assert storage.get("hammer") == THREADS * 50
        finally:
            engine.dispose()
    finally:
        _drop_postgres_database(base, name)


# A real server with two workers -----------------------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path
    database_url: str

    def worker_pids(self, marker: str) -> set[str]:
        """The gunicorn workers that answered the requests tagged ``marker``."""
        pattern = re.compile(rf"^<(\d+)> \"\w+ [^\"]*[?&]burst={re.escape(marker)}\b")
        return {
            match.group(1)
            for line in self.log.read_text().splitlines()
            if (match := pattern.match(line))
        }


def _environment(database_url: str, data: Path, redis_url: str | None) -> dict[str, str]:
    env = server_environment(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        MAIL_ENABLED="0",
        TIMETRACKER_DATA=str(data),
        TIMETRACKER_PROXY_HOPS="1",
        # Gunicorn's access log on standard output (whatever its configuration file says),
        # each line starting with the worker's pid: <1234> "POST /login?burst=... HTTP/1.1" 400
        GUNICORN_CMD_ARGS="--access-logfile - --access-logformat '%(p)s \"%(r)s\" %(s)s'",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A migrated SQLite database with a staff user (made by the CLI) and a portal contact."""
    data = tmp_path_factory.mktemp("installation")
    database_url = f"sqlite:///{data / 'timetracker.db'}"
    env = _environment(database_url, data, None)
    run_cli(env, "db", "upgrade")
    run_cli(
        env, "users", "create", "--email", OWNER, "--name", "Owner", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    engine = make_engine(database_url)
    with Session(engine) as session:
        make_portal_user(session, make_client(session), email="contact@example.com")
        session.commit()
    engine.dispose()
    return database_url, data


def _start(database_url: str, data: Path, redis_url: str | None, name: str) -> Iterator[Server]:
    with children(data) as started:
        app = start_app_server(started, name, _environment(database_url, data, redis_url))
        yield Server(f"http://127.0.0.1:{app.port}", app.child.log, database_url)


@pytest.fixture(scope="module")
def server(installation: tuple[str, Path]) -> Iterator[Server]:
    """``timetracker serve --workers 2`` without Redis: counts in the database."""
    database_url, data = installation
    yield from _start(database_url, data, None, "server")


@pytest.fixture(scope="module")
def redis_server(installation: tuple[str, Path]) -> Iterator[Server]:
    database_url, data = installation
    yield from _start(database_url, data, os.environ["REDIS_URL"], "redis-server")


@dataclass
class Visitor:
    """A browser at one address: its session cookie and the CSRF token of its login form."""

    server: Server
    address: str
    cookies: dict[str, str]
    token: str

    @classmethod
    def at(cls, server: Server, address: str) -> Visitor:
        response = requests.get(
            f"{server.url}/login", headers={"X-Forwarded-For": address}, timeout=30
        )
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
        assert token, response.text
        return cls(server, address, dict(response.cookies), token.group(1))

    def attempt(self, email: str, password: str, burst: str) -> requests.Response:
        """One login attempt on its own connection."""
        return requests.post(
            f"{self.server.url}/login?burst={burst}",
            data={"email": email, "password": password, "csrf_token": self.token},
            cookies=self.cookies,
            headers={"X-Forwarded-For": self.address, "Connection": "close"},
            allow_redirects=False,
            timeout=60,
        )


def _burst(server: Server, calls: list[Callable[[], requests.Response]], burst: str) -> list[int]:
    """The statuses of ``calls`` made concurrently, checking both workers answered them."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = [response.status_code for response in pool.map(lambda call: call(), calls)]
    # A fixed window runs a minute from its first hit: a burst this long could straddle two.
    assert time.monotonic() - started < 50, "the burst took too long to stay in one window"
    time.sleep(0.2)  # the access log lines of the last answers
    assert len(server.worker_pids(burst)) == 2, "both workers should have answered the burst"
    return statuses


def _tally(statuses: list[int]) -> dict[int, int]:
    return dict(collections.Counter(statuses))


def _address() -> str:
    """A fresh documentation address (RFC 5737) per use, so that tests share no counters."""
    value = uuid.uuid4().int
    return f"198.51.{value % 200 + 1}.{value // 200 % 250 + 1}"


def _account_and_address_limit_holds(server: Server, tag: str) -> None:
    n = PER_ACCOUNT_AND_ADDRESS.amount
    stranger = Visitor.at(server, _address())
    calls = [
        lambda i=i: stranger.attempt(OWNER, f"wrong-{i}", f"{tag}-stranger") for i in range(n + 3)
    ]
    assert _tally(_burst(server, calls, f"{tag}-stranger")) == {400: n, 429: 3}
    # Refused attempts, and the failed ones (rolled back), all counted: one more is refused...
    assert stranger.attempt(OWNER, PASSWORD, f"{tag}-stranger").status_code == 429
    # ...but the owner, at their own address, is not locked out.
    owner = Visitor.at(server, _address())
    assert owner.attempt(OWNER, PASSWORD, f"{tag}-owner").status_code == 302


def test_one_account_from_one_address_gets_exactly_the_documented_attempts(
    server: Server,
) -> None:
    _account_and_address_limit_holds(server, "account-address")
    assert _counter_rows(server.database_url) > 0  # the counts are in the database


def test_one_address_gets_exactly_the_documented_attempts(server: Server) -> None:
    n = PER_ADDRESS.amount
    visitor = Visitor.at(server, _address())
    # An empty password is refused (400) without hashing, after the limits have counted it.
    calls = [
        lambda i=i: visitor.attempt(f"nobody{i}@example.com", "", "address") for i in range(n + 5)
    ]
    assert _tally(_burst(server, calls, "address")) == {400: n, 429: 5}


def test_one_account_from_many_addresses_gets_exactly_the_ceiling(server: Server) -> None:
    per_address, ceiling = PER_ACCOUNT_AND_ADDRESS.amount, PER_ACCOUNT.amount
    account = f"target-{uuid.uuid4().hex[:8]}@example.com"
    addresses = ceiling // per_address + 1
    visitors = [Visitor.at(server, _address()) for _ in range(addresses)]
    calls = [
        lambda v=visitor: v.attempt(account, "", "ceiling")
        for visitor in visitors
        for _ in range(per_address)
    ]
    statuses = _burst(server, calls, "ceiling")
    assert _tally(statuses) == {400: ceiling, 429: addresses * per_address - ceiling}


def test_portal_csv_exports_get_exactly_the_documented_number(server: Server) -> None:
    visitor = Visitor.at(server, _address())
    signed_in = visitor.attempt("contact@example.com", PASSWORD, "csv-login")
    assert signed_in.status_code == 302
    cookies = {**visitor.cookies, **dict(signed_in.cookies)}

    def export() -> requests.Response:
        return requests.get(
            f"{server.url}/client-portal/time-entries.csv?burst=csv",
            cookies=cookies,
            headers={"X-Forwarded-For": visitor.address, "Connection": "close"},
            timeout=60,
        )

    statuses = _burst(server, [export] * (CSV.amount + 4), "csv")
    assert _tally(statuses) == {200: CSV.amount, 429: 4}


def _counter_rows(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(RateLimitCounter)) or 0)
    finally:
        engine.dispose()


@pytest.mark.redis
def test_with_redis_one_account_from_one_address_gets_exactly_the_documented_attempts(
    redis_server: Server,
) -> None:
    before = _counter_rows(redis_server.database_url)
    _account_and_address_limit_holds(redis_server, "redis")
    assert _counter_rows(redis_server.database_url) == before  # the counts are in Redis
