"""A client's answer to a quote: accepting (with a typed signature) or declining (with a
reason), recorded once in one conditional UPDATE and immutable afterwards. Part of the quote
rules; import it from :mod:`.quotes`."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing.quote_states import QuoteError, answerable_condition, rowcount
from timetracker.models import Quote, QuoteStatus, User

#: The limits of what a client types and what is recorded with it (the columns' sizes).
MIN_SIGNATURE = 2
MAX_SIGNATURE = 200
MAX_DECLINE_REASON = 2000
MAX_IP = 45
MAX_USER_AGENT = 300


# Answers --------------------------------------------------------------------------------------
class Answer(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


@dataclass(frozen=True)
class Answerer:
    """Who answers, from where: what the app records with the answer."""

    user: User
    ip_address: str | None
    user_agent: str | None


def normalise_signature(text: str) -> str:
    """The full name typed as a signature, with runs of whitespace made one space; raises
    :class:`QuoteError` unless it is 2 to 200 characters long, has a letter, and holds no
    control character (nor a bidirectional override, which would make the name read
    differently from what was typed)."""
    name = " ".join(text.split())
    if not MIN_SIGNATURE <= len(name) <= MAX_SIGNATURE:
        raise QuoteError(
            _(
                "Type your full name (%(min)d to %(max)d characters) to accept.",
                min=MIN_SIGNATURE,
                max=MAX_SIGNATURE,
            )
        )
    if not any(ch.isalpha() for ch in name):
        raise QuoteError(_("Type your full name in letters to accept."))
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in name):
        raise QuoteError(_("Type your full name without control characters."))
    return name


#: Characters that reorder the text around them (Unicode's explicit directional formatting).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def normalise_reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise QuoteError(_("Tell us why you decline the quote."))
    if len(reason) > MAX_DECLINE_REASON:
        raise QuoteError(
            _("The reason can be at most %(max)d characters long.", max=MAX_DECLINE_REASON)
        )
    return reason


def answer(
    session: Session,
    quote: Quote,
    client_id: int,
    which: Answer,
    answerer: Answerer,
    today: dt.date,
    *,
    signature: str | None = None,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> bool:
    """Record the client's answer (at ``at``, now by default); ``True`` when this call
    answered the quote.

    One conditional UPDATE, ``WHERE id = .. AND client_id = .. AND status = 'sent' AND
    valid_until >= today``: an expired quote, an answered one (a double submission, or a second
    contact's late answer) or another client's is left exactly as it was (``False``).
    The quote's state and answer are reloaded either way, so the caller shows the answer that
    stands.
    """
    values: dict[str, Any] = {
        "answered_at": at or firm.now(),
        "answered_by_id": answerer.user.id,
        "answer_ip_address": (answerer.ip_address or "")[:MAX_IP] or None,
        "answer_user_agent": (answerer.user_agent or "")[:MAX_USER_AGENT] or None,
    }
    if which is Answer.ACCEPT:
        values |= {
            "status": QuoteStatus.ACCEPTED,
            "answered_by_name": normalise_signature(signature or ""),
        }
    else:
        values |= {"status": QuoteStatus.DECLINED, "decline_reason": normalise_reason(reason or "")}
    result = session.execute(
        update(Quote)
        .where(Quote.id == quote.id, Quote.client_id == client_id, answerable_condition(today))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(quote, ["status", *ANSWER_FIELDS, "answered_by_id"])
    return rowcount(result) == 1


#: Written once, by :func:`answer`; never changed afterwards.
ANSWER_FIELDS = (
    "answered_at",
    "answered_by_name",
    "answer_ip_address",
    "answer_user_agent",
    "decline_reason",
)
ANSWERED = (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED)


class AnswerIsImmutable(QuoteError):
    """Something tried to change or delete a client's recorded answer."""


@event.listens_for(Quote, "before_update")
def _answer_is_immutable(_mapper: Any, _connection: Any, quote: Quote) -> None:
    """The ORM refuses to change an answered quote's status or answer (turning it into a
    project or invoice is what may still change)."""
    state = inspect(quote)
    status = state.attrs.status.history
    if status.deleted and status.deleted[0] in ANSWERED and status.added:
        raise AnswerIsImmutable("The client's answer to a quote cannot be changed.")
    for name in ANSWER_FIELDS:
        history = state.attrs[name].history
        if history.deleted and history.deleted[0] is not None and history.added:
            raise AnswerIsImmutable("The client's answer to a quote cannot be changed.")


@event.listens_for(Quote, "before_delete")
def _answered_quote_is_kept(_mapper: Any, _connection: Any, quote: Quote) -> None:
    if quote.status in ANSWERED:
        raise AnswerIsImmutable("A quote the client has answered cannot be deleted.")
