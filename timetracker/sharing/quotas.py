"""How much storage each client's documents take, all versions counted (removed documents
too: their versions stay stored), against the quota of the settings."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import get_decimal_symbol
from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker.models import Client, Document, DocumentVersion
from timetracker.pagination import Page, PageRequest
from timetracker.sharing.validation import MB, UploadRefused


@dataclass(frozen=True, slots=True)
class Usage:
    client_id: int
    client_name: str
    client_active: bool
    documents: int
    versions: int
    used_bytes: int
    #: 0: no limit.
    quota_bytes: int

    @property
    def percent(self) -> int | None:
        if not self.quota_bytes:
            return None
        return min(999, round(100 * self.used_bytes / self.quota_bytes))

    @property
    def over(self) -> bool:
        return bool(self.quota_bytes) and self.used_bytes >= self.quota_bytes


def used_bytes(session: Session, client_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(DocumentVersion.size_bytes), 0))
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.client_id == client_id)
        )
        or 0
    )


def check_quota(session: Session, client_id: int, adding: int, quota_mb: int) -> None:
    """Raises :class:`UploadRefused` when ``adding`` bytes would take the client past its
    quota (``quota_mb`` 0: no limit)."""
    if quota_mb <= 0:
        return
    used = used_bytes(session, client_id)
    if used + adding > quota_mb * MB:
        free = max(0, quota_mb * MB - used)
        raise UploadRefused(
            gettext(
                "This client's documents would take more than its storage quota of %(quota)s MB "
                "(%(used)s used, %(free)s free). Ask an administrator to raise the quota in the "
                "settings.",
                quota=quota_mb,
                used=_mb(used),
                free=_mb(free),
            )
        )


def _one_decimal(value: float) -> str:
    """``value`` with one decimal, written with the decimal sign of the page's locale."""
    text = f"{value:.1f}"
    if not has_request_context():
        return text
    from timetracker.formatting import current_locale

    return text.replace(".", get_decimal_symbol(current_locale()))


def _mb(size: int) -> str:
    return gettext("%(size)s MB", size=_one_decimal(size / MB))


def filesize(size: int) -> str:
    """1 234 567 -> "1.2 MB" (in the language and the number format of the page)."""
    if size < 1024:
        return gettext("%(size)s bytes", size=size)
    value = size / 1024
    if value < 1024:
        return gettext("%(size)s KB", size=_one_decimal(value))
    value /= 1024
    if value < 1024:
        return gettext("%(size)s MB", size=_one_decimal(value))
    return gettext("%(size)s GB", size=_one_decimal(value / 1024))


def usage_page(session: Session, quota_mb: int, request: PageRequest) -> Page[Usage]:
    """Every client with the storage its documents use, the largest first."""
    per_client = (
        select(
            Document.client_id.label("client_id"),
            func.count(func.distinct(Document.id)).label("documents"),
            func.count(DocumentVersion.id).label("versions"),
            func.coalesce(func.sum(DocumentVersion.size_bytes), 0).label("used"),
        )
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .group_by(Document.client_id)
        .subquery()
    )
    total = session.scalar(select(func.count(Client.id))) or 0
    request = request.clamp(total)
    used = func.coalesce(per_client.c.used, 0)
    rows = session.execute(
        select(
            Client.id,
            Client.name,
            Client.is_active,
            func.coalesce(per_client.c.documents, 0),
            func.coalesce(per_client.c.versions, 0),
            used,
        )
        .outerjoin(per_client, per_client.c.client_id == Client.id)
        .order_by(used.desc(), Client.name, Client.id)
        .limit(request.size)
        .offset(request.offset)
    ).all()
    quota = max(0, quota_mb) * MB
    items = [Usage(r[0], r[1], bool(r[2]), int(r[3]), int(r[4]), int(r[5]), quota) for r in rows]
    return Page(items, total, request.number, request.size)


def total_used(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(DocumentVersion.size_bytes), 0))) or 0)
