"""The Python HTTP client: probes, warm-ups and the rate-limited downloads.

The timed runs are wrk's (:mod:`bench.wrk`): this client shares the machine's CPUs with the
server it measures. It stays where wrk cannot do the job: reading a page's body and headers
(size, SQL count, page links), and the downloads limited per user (a fixed number of requests,
not a timed run). It opens a connection per request (``Connection: close``) and reads to EOF.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body_size: int
    body: bytes
    seconds: float


class HttpClient:
    """Requests as signed-in users: connection ``k`` of a run uses ``cookies[k % n]``."""

    def __init__(self, port: int, cookies: list[str]) -> None:
        self.address = ("127.0.0.1", port)
        self.cookies = cookies

    def request_bytes(self, path: str, user: int = 0) -> bytes:
        return (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.address[1]}\r\n"
            f"Cookie: {self.cookies[user % len(self.cookies)]}\r\n"
            "User-Agent: timetracker-bench\r\n"
            "Accept-Encoding: identity\r\nConnection: close\r\n\r\n"
        ).encode()

    def get(self, path: str, keep_body: bool = False, raw: bytes | None = None) -> Reply:
        """One request on a new connection, read to EOF. The body is kept only on request
        (for parsing); otherwise only its size is counted."""
        started = time.perf_counter()
        buffered = b""
        head = b""
        kept: list[bytes] = []
        received = 0
        with socket.create_connection(self.address, timeout=120) as sock:
            sock.sendall(raw or self.request_bytes(path))
            while True:
                data = sock.recv(262144)
                if not data:
                    break
                received += len(data)
                if head:
                    if keep_body:
                        kept.append(data)
                    continue
                buffered += data
                end = buffered.find(b"\r\n\r\n")
                if end >= 0:
                    head = buffered[: end + 4]
                    kept.append(buffered[end + 4 :])
        seconds = time.perf_counter() - started
        if not head:
            raise ConnectionError("connection closed before the response head")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        body = b"".join(kept) if keep_body else b""
        body_size = received - len(head)
        if keep_body and headers.get("transfer-encoding", "").lower() == "chunked":
            body = _dechunk(body)
            body_size = len(body)
        return Reply(status, headers, body_size, body, seconds)


def _dechunk(data: bytes) -> bytes:
    parts = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        length = int(data[pos:end].split(b";")[0], 16)
        if length == 0:
            break
        parts.append(data[end + 2 : end + 2 + length])
        pos = end + 2 + length + 2
    return b"".join(parts)


@dataclass
class Measurement:
    concurrency: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    def summary(self) -> dict[str, object]:
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies) * 1000, 2) if self.latencies else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "first_error": self.first_error,
        }


def run_load(
    client: HttpClient,
    paths: list[str],
    concurrency: int,
    duration: float,
    min_requests: int = 1,
) -> Measurement:
    """``concurrency`` connections requesting ``paths`` (round robin, each connection starting
    at a random place) for ``duration`` seconds and at least ``min_requests`` in total."""
    result = Measurement(concurrency)
    lock = threading.Lock()
    start_barrier = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def worker(offset: int, user: int) -> None:
        raws = [client.request_bytes(p, user) for p in paths]
        start_barrier.wait()
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        first_error = None
        k = offset
        while True:
            with lock:
                done = result.requests
                if time.perf_counter() >= deadline and done >= min_requests:
                    break
                result.requests += 1
            raw = raws[k % len(raws)]
            k += 1
            try:
                reply = client.get("", raw=raw)
            except OSError as error:
                errors += 1
                first_error = first_error or f"{type(error).__name__}: {error}"
                statuses[0] = statuses.get(0, 0) + 1
                continue
            latencies.append(reply.seconds)
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
            if reply.status != 200:
                errors += 1
                first_error = first_error or f"HTTP {reply.status}"
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count
            if first_error and not result.first_error:
                result.first_error = first_error

    rng = random.Random(concurrency)
    threads = [
        threading.Thread(target=worker, args=(rng.randrange(len(paths)), k), daemon=True)
        for k in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline = started + duration
    start_barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
