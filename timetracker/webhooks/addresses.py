"""Which addresses a webhook may be sent to.

Only ``https://`` URLs with a host name or address, no user name or password in them, and (to
keep the server from being used to reach its own network: SSRF) a host whose every address is
public. Loopback, private, link-local, shared, reserved and multicast addresses are refused
unless the operator sets ``WEBHOOK_ALLOW_PRIVATE`` (a receiver on the firm's own LAN). The
check runs when an administrator saves the URL and again before every attempt, and the
attempt connects to the very address that was checked (a name that resolves differently a
second later cannot slip through).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask_babel import gettext

from timetracker.i18n import N_

MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressError(ValueError):
    """The URL may not be called; the message says why, for the administrator: in English as
    ``str()`` (what a delivery attempt records), in the reader's language as
    :meth:`translated` (what the form shows)."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values

    def translated(self) -> str:
        return gettext(self.message, **self.values)


def allow_private(config: Mapping[str, Any]) -> bool:
    return bool(config.get("WEBHOOK_ALLOW_PRIVATE"))


def parse(url: str) -> SplitResult:
    """The parts of an acceptable webhook URL (syntax only; no name is resolved)."""
    url = url.strip()
    if not url:
        raise AddressError(N_("Enter the URL of the endpoint, starting with https://."))
    if len(url) > MAX_URL_LENGTH:
        raise AddressError(N_("The URL is longer than %(max)d characters."), max=MAX_URL_LENGTH)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise AddressError(N_("The URL must not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressError(N_("This is not a valid URL (check the host and the port).")) from None
    if parts.scheme.lower() == "http":
        raise AddressError(N_("Only https:// URLs are allowed: deliveries are sent encrypted."))
    if parts.scheme.lower() != "https":
        raise AddressError(N_("The URL must start with https://."))
    if not parts.hostname:
        raise AddressError(N_("The URL has no host name (https://host.example/path)."))
    if parts.username is not None or parts.password is not None:
        raise AddressError(
            N_("Put no user name or password in the URL: receivers check the signature instead.")
        )
    if port == 0:
        raise AddressError(N_("The port must be a number from 1 to 65535."))
    if parts.fragment:
        raise AddressError(N_("The URL must not have a #fragment."))
    return parts


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, *, private_ok: bool) -> list[str]:
    """The addresses to connect to for ``host``; refuses when any of them is not public
    (unless ``private_ok``) or when the name does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressError(N_("The host name %(host)r could not be resolved."), host=host) from None
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise AddressError(N_("The host name %(host)r could not be resolved."), host=host)
    if not private_ok:
        for text in addresses:
            if not _is_public(ipaddress.ip_address(text)):
                raise AddressError(
                    N_(
                        "%(host)s is a private, loopback or link-local address (%(address)s); "
                        "webhooks are only sent to public hosts. (An operator can allow "
                        "receivers on the local network with WEBHOOK_ALLOW_PRIVATE.)"
                    ),
                    host=host,
                    address=text,
                )
    return addresses


def check(url: str, config: Mapping[str, Any]) -> str:
    """The URL, trimmed, when it may be called now; :class:`AddressError` otherwise."""
    parts = parse(url)
    assert parts.hostname is not None  # parse() refuses a URL without one
    resolve(parts.hostname, parts.port or 443, private_ok=allow_private(config))
    return url.strip()
