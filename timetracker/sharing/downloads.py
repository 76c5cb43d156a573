"""Sending a stored version, with the answer when the storage has lost its file."""

from __future__ import annotations

import logging

from flask.typing import ResponseReturnValue
from flask_babel import gettext

from timetracker.errors import render_error
from timetracker.i18n import N_
from timetracker.models import DocumentVersion
from timetracker.sharing.responses import download
from timetracker.sharing.storage import StoredFileMissing

log = logging.getLogger(__name__)


FILE_MISSING = N_(
    "The file of this document cannot be found in the document storage. "
    "The firm's administrators have to restore it from a backup."
)


def send_version(version: DocumentVersion) -> ResponseReturnValue:
    try:
        return download(version)
    except StoredFileMissing:
        log.error("document version %s: no file under its storage key in DOCUMENTS_DIR", version.id)
        return render_error(404, gettext(FILE_MISSING))
