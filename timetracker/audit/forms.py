"""The audit page's filters: person, client, kind of event and a range of days. The page and
its CSV read them with the same form, so one link downloads exactly the rows on screen."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import AnyOf, Optional

from timetracker.audit import LABELS, label
from timetracker.audit.queries import TrailFilter
from timetracker.i18n import _l
from timetracker.models import Client, User
from timetracker.workspace.fields import RangeEnd, SupportedDateField
from timetracker.workspace.record_select import RecordSelectField

PICK_PERSON = _l("Choose a person from the list.")
PICK_CLIENT = _l("Choose a client from the list.")
PICK_KIND = _l("Choose a kind of event from the list.")


def _kind_choices() -> list[tuple[str, str]]:
    """Every kind of event, named in the language of the request (the form is made per
    request)."""
    return [("", _("All events")), *((str(kind), label(kind)) for kind in LABELS)]


class AuditFilterForm(Form):
    person = RecordSelectField(_l("Person"), [Optional()], noun="person")
    client = RecordSelectField(_l("Client"), [Optional()], noun="client")
    kind = SelectField(
        _l("Event"),
        [Optional(), AnyOf([str(kind) for kind in LABELS], message=PICK_KIND)],
        choices=_kind_choices,
        validate_choice=False,
    )
    date_from = SupportedDateField(_l("From"), [Optional()])
    date_to = SupportedDateField(_l("To"), [Optional(), RangeEnd("date_from")])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: a person or client id must be one of the list (an
        id of nobody is a mistake in the link, not a filter that matches nothing)."""
        valid = super().validate(extra_validators)
        for field, message in ((self.person, PICK_PERSON), (self.client, PICK_CLIENT)):
            known = {value for value, _text in field.choices or []}
            if field.data is not None and not field.errors and field.data not in known:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def filters(self) -> TrailFilter:
        """The filters of a validated form."""
        return TrailFilter(
            person_id=self.person.data,
            client_id=self.client.data,
            kind=self.kind.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def problems(self) -> str:
        """The errors in one sentence per field, for a 400 that has no form to show them on."""
        return " ".join(
            _(
                "%(field)s: %(errors)s",
                field=self[name].label.text,
                errors=" ".join(str(error) for error in errors),
            )
            for name, errors in self.errors.items()
        )


def audit_filter_form(session: Session, args: MultiDict[str, str]) -> AuditFilterForm:
    """The filters read from ``args``, with every account and every client to choose from
    (deactivated ones too: the trail keeps their events)."""
    form = AuditFilterForm(args)
    users = session.execute(select(User.id, User.name, User.email).order_by(User.name, User.id))
    form.person.choices = [("", _("Everyone")), *((i, f"{n} ({e})") for i, n, e in users)]
    clients = session.execute(select(Client.id, Client.name).order_by(Client.name, Client.id))
    form.client.choices = [("", _("All clients")), *((i, n) for i, n in clients)]
    return form
