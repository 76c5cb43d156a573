"""What one client's contacts may see, as the firm's administrators decided for that client.

The scope reads these flags and applies them in its queries and results, so the portal's pages,
its CSV and PDF downloads and any other reader of the scope obey them alike:

- ``staff_names`` off: no staff person's name leaves the scope (time entries, status updates,
  notes); the result rows carry ``None`` where a name was.
- ``entry_notes`` off: time entries come without their notes.
- ``amounts`` off: no hourly rate nor billable value of time or of a project, nor a budget in
  money (budgets in hours stay). Invoices and quotes keep their figures: they are the money
  documents the client receives.
- ``time_entries`` off: the time entry list and its export do not exist for the client (404);
  the aggregate hours of its projects stay.
- ``documents`` off: no shared documents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from flask_babel import gettext

from timetracker.i18n import N_
from timetracker.models import Client

#: Each flag: its attribute here, the client's column that stores it, and its label (English,
#: as the audit trail keeps it; :meth:`Visibility.hidden_labels` translates it for a page).
FLAGS: tuple[tuple[str, str, str], ...] = (
    ("staff_names", "portal_shows_staff_names", N_("Staff names")),
    ("entry_notes", "portal_shows_entry_notes", N_("Notes of time entries")),
    ("amounts", "portal_shows_amounts", N_("Hourly rates and billable amounts")),
    ("time_entries", "portal_shows_time_entries", N_("Time entries")),
    ("documents", "portal_shows_documents", N_("Documents")),
)


@dataclass(frozen=True, slots=True)
class Visibility:
    #: Names of the staff (time entries, notes, status updates, comments, documents).
    staff_names: bool = True
    #: The notes (descriptions) of time entries.
    entry_notes: bool = True
    #: Hourly rates and billable amounts of time and projects.
    amounts: bool = True
    #: The time entries themselves.
    time_entries: bool = True
    #: Shared documents.
    documents: bool = True

    @classmethod
    def of(cls, client: Client) -> Visibility:
        return cls(
            staff_names=client.portal_shows_staff_names,
            entry_notes=client.portal_shows_entry_notes,
            amounts=client.portal_shows_amounts,
            time_entries=client.portal_shows_time_entries,
            documents=client.portal_shows_documents,
        )

    @property
    def everything(self) -> bool:
        """Whether the client's contacts see all there is (the default)."""
        return all(getattr(self, f.name) for f in fields(self))

    def hidden_labels(self) -> list[str]:
        """The labels of what is hidden, in the order of :data:`FLAGS`, in the language being
        spoken."""
        return [gettext(label) for name, _column, label in FLAGS if not getattr(self, name)]

    def changes_from(self, before: Visibility) -> str:
        """What changed from ``before``, in words (``"Staff names: hidden; Documents:
        shown"``); empty when nothing did. In English: the audit trail's detail."""
        return "; ".join(
            f"{label}: {'shown' if getattr(self, name) else 'hidden'}"
            for name, _column, label in FLAGS
            if getattr(self, name) != getattr(before, name)
        )
