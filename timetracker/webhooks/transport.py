"""One HTTPS POST to a receiver, to the address :mod:`.addresses` checked.

urllib3 (the client under ``requests``) connects to the checked IP address itself, with the
host name for TLS (SNI and certificate check) and the ``Host`` header. Redirects are never
followed, nothing is retried here (the back-off is :mod:`.delivery`'s), the whole exchange has
one time limit, and only the start of the answer is read.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from timetracker.webhooks.addresses import AddressError, parse, resolve

#: How much of the receiver's answer is kept (and read at all).
RESPONSE_LIMIT = 2048


class TransportError(RuntimeError):
    """No answer: the message says why (a timeout, a refused connection, a TLS failure)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _host_header(hostname: str, port: int | None) -> str:
    host = hostname
    try:
        if ipaddress.ip_address(hostname).version == 6:
            host = f"[{hostname}]"
    except ValueError:
        pass
    return host if port in (None, 443) else f"{host}:{port}"


def post(
    url: str,
    body: str,
    headers: dict[str, str],
    *,
    timeout: float,
    ca_bundle: str | None,
    private_ok: bool,
) -> Answer:
    """POST ``body`` to ``url``; raises :class:`TransportError` (or :class:`AddressError`)."""
    parts = parse(url)
    hostname = parts.hostname or ""
    port = parts.port or 443
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    addresses = resolve(hostname, port, private_ok=private_ok)
    all_headers = {**headers, "Host": _host_header(hostname, parts.port)}
    last: Exception | None = None
    for address in addresses:
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_bundle or None,
            server_hostname=hostname,
            assert_hostname=hostname,
        )
        try:
            return _exchange(pool, target, body, all_headers, timeout)
        except (NewConnectionError, ConnectTimeoutError) as error:
            last = error  # the next address of the name, if there is one
        finally:
            pool.close()
    raise TransportError(_describe(last, timeout))


def _exchange(
    pool: urllib3.HTTPSConnectionPool,
    target: str,
    body: str,
    headers: dict[str, str],
    timeout: float,
) -> Answer:
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body.encode(),
            headers=headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
    except (NewConnectionError, ConnectTimeoutError):
        raise
    except HTTPError as error:
        raise TransportError(_describe(error, timeout)) from None
    try:
        raw = response.read(RESPONSE_LIMIT, decode_content=True)
    except HTTPError:
        raw = b""
    finally:
        response.release_conn()
    text = raw[:RESPONSE_LIMIT].decode("utf-8", errors="replace")
    return Answer(response.status, text, response.headers.get("Location"))


def _describe(error: Exception | None, timeout: float) -> str:
    # urllib3's NewConnectionError is a kind of ConnectTimeoutError: ask for it first.
    if isinstance(error, NewConnectionError):
        return f"Could not connect: {_reason(error)}"
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return f"No answer within {timeout:g} seconds."
    if isinstance(error, SSLError):
        return f"TLS failed (the certificate could not be verified?): {_reason(error)}"
    if error is None:
        return "Could not connect."
    return f"The request failed: {_reason(error)}"


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    # urllib3 prefixes its own object's repr ("<...HTTPSConnection object at 0x...>: ").
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text[:300]


__all__ = ["Answer", "AddressError", "TransportError", "post"]
