"""What the emailed links share (invitations and password resets): why a link does not open,
where a link in an email points, who may still use one, and sending its email only once the
answer has left.

Enumeration. The public forms that may send such a link (``/forgot-password``,
``/invitation/renew``) answer the same page whatever the address. They must also take the same
time, so nothing slow may happen only for an existing account: the email is handed to the
background jobs after the response is sent (:func:`send_after_response`), not in the request.
(``send_account_email`` runs after the commit, which is still before the answer: with jobs
inline, without ``REDIS_URL``, the SMTP conversation would be part of the answer's time.) In the
request, an unknown address costs the same token work as a known one (:func:`equal_work`: a
random token and its hash); what is left is writing the token's and the audit event's rows for
an account, about a millisecond against the tens of milliseconds to seconds of sending mail.

Links in emails are built on ``BASE_URL`` (``TIMETRACKER_BASE_URL``, "the public address used
in links in emails"), never on the request's ``Host`` header: a stranger who asks for a reset
with a forged ``Host`` must not get a link to their own server into someone's mailbox.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from functools import partial

from flask import Response, current_app, g, request, url_for

from timetracker import after_commit
from timetracker.auth import tokens
from timetracker.auth.access import refusal, refusal_text
from timetracker.auth.tokens import Checked, Problem
from timetracker.models import User
from timetracker.notifications.accounts import AccountEmail, dispatch, mail_enabled

log = logging.getLogger(__name__)

#: A link whose account can no longer sign in (deactivated, no role, client deactivated).
NO_ACCESS = "no_access"

#: How each problem of a link is answered: unknown and revoked read alike (a revoked link
#: says no more than a mistyped one), but a missing link is 404 and a dead one 410.
PROBLEM_STATUS: dict[str, int] = {
    Problem.UNKNOWN: 404,
    Problem.REVOKED: 410,
    Problem.EXPIRED: 410,
    Problem.USED: 410,
    NO_ACCESS: 403,
}


@dataclass(frozen=True)
class LinkProblem:
    """Why a link does not open: ``kind`` is a :class:`tokens.Problem` value or
    :data:`NO_ACCESS`; ``reason`` says why an account has no access (for people to read)."""

    kind: str
    reason: str | None = None

    @property
    def status(self) -> int:
        return PROBLEM_STATUS[self.kind]


def has_access(user: User) -> bool:
    """Whether ``user`` may sign in at all: the rule of :func:`access.refusal`, without leaving
    the user's portal scope in ``g`` (the person asking may be someone else, signed in)."""
    return access_refusal(user) is None


def access_refusal(user: User) -> str | None:
    """:func:`access.refusal` for ``user``, who need not be the signed-in user."""
    saved = g.pop("portal", None)
    try:
        return refusal(user)
    finally:
        g.pop("portal", None)
        if saved is not None:
            g.portal = saved


def link_problem(checked: Checked) -> LinkProblem | None:
    """Why the checked link cannot be used now, or ``None`` when it can."""
    if checked.problem is not None:
        return LinkProblem(checked.problem)
    assert checked.user is not None  # a token that opens always has its user
    reason = access_refusal(checked.user)
    return LinkProblem(NO_ACCESS, refusal_text(reason)) if reason is not None else None


def equal_work() -> None:
    """What issuing a link costs in this process (a random token and its hash), spent for an
    address that gets none, so that both answers take as long."""
    tokens.token_hash(secrets.token_urlsafe(tokens.TOKEN_BYTES))


def email_link(endpoint: str, token: str) -> str:
    """The absolute address of a link page, for an email: ``BASE_URL`` and the page's path."""
    path = url_for(endpoint, token=token)
    path = path.removeprefix(request.script_root) if request.script_root else path
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def send_after_response(response: Response, kind: AccountEmail, user: User, **context: str) -> bool:
    """Send ``kind`` to ``user`` once ``response`` has been sent, and only if the request's
    transaction committed; ``False`` when mail is off on this server.

    The delivery (queued in Redis, or sent inline without it) starts when the server closes the
    response, outside the time the asker waits for the answer. It runs in an application
    context of its own: the request's is gone by then."""
    if not mail_enabled():
        log.info("mail is off: the %s email to user %s is not sent", kind, user.id)
        return False
    committed: list[bool] = []
    after_commit(lambda: committed.append(True))
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug's proxy
    job = partial(dispatch, str(kind), user.id, dict(context))

    def deliver() -> None:
        if not committed:
            return
        with app.app_context():
            job()

    response.call_on_close(deliver)
    return True
