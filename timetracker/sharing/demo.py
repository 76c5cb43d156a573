"""Demo documents: a one-page PDF brief in two versions on a project, and a CSV of the
project's estimate on the client, stored like real uploads (checked, under random keys)."""

from __future__ import annotations

import datetime as dt
import io
from html import escape

from sqlalchemy.orm import Session
from weasyprint import HTML

from timetracker.models import Client, Document, DocumentVersion, Project, User
from timetracker.models._common import utcnow
from timetracker.sharing.storage import storage
from timetracker.sharing.validation import MB, inspect

_BRIEF = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 2cm; }} body {{ font-family: DejaVu Sans, sans-serif; font-size: 11pt; }}
h1 {{ font-size: 18pt; }} li {{ margin-bottom: 4pt; }}
</style></head><body>
<h1>Project brief: {project}</h1>
<p>For {client} · version {version}</p>
<h2>Goals</h2>
<ul><li>A site the team can update without help.</li><li>Pages that load in under two
seconds on a phone.</li><li>{extra}</li></ul>
<h2>Timeline</h2><p>Design in the first month, build in the second, launch in the third.</p>
</body></html>"""

_ESTIMATE = (
    "Phase;Hours;Notes\n"
    "Discovery;12;Workshops and interviews\n"
    "Design;40;Two rounds of feedback\n"
    "Build;80;Including content migration\n"
    "Launch;8;Training included\n"
)


def _brief_pdf(client: Client, project: Project, version: int, extra: str) -> bytes:
    html = _BRIEF.format(
        project=escape(project.name), client=escape(client.name), version=version, extra=extra
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf


def _add_version(
    session: Session,
    document: Document,
    number: int,
    content: bytes,
    filename: str,
    uploader: User,
    at: dt.datetime,
) -> None:
    found = inspect(io.BytesIO(content), filename, 25 * MB)
    key = storage().put(io.BytesIO(content))
    session.add(
        DocumentVersion(
            document_id=document.id,
            number=number,
            storage_key=key,
            filename=found.filename,
            content_type=found.content_type,
            size_bytes=found.size_bytes,
            sha256=found.sha256,
            uploaded_at=at,
            uploaded_by_id=uploader.id,
            uploaded_by_name=uploader.name,
        )
    )
    document.updated_at = at


def add_demo_documents(
    session: Session, client: Client, project: Project, uploader: User
) -> list[Document]:
    """Store the demo documents of ``client`` (``project`` is one of its projects), uploaded
    by ``uploader`` (staff): "Project brief" on the project with two versions, and "Estimate"
    (CSV) on the client. Needs an application context (``DOCUMENTS_DIR``); flushes, the caller
    commits."""
    now = utcnow()
    earlier = now - dt.timedelta(days=6)
    brief = Document(
        client_id=client.id,
        project_id=project.id,
        title="Project brief",
        created_by_id=uploader.id,
        created_at=earlier,
        updated_at=earlier,
    )
    estimate = Document(
        client_id=client.id,
        project_id=None,
        title="Estimate",
        created_by_id=uploader.id,
        created_at=earlier,
        updated_at=earlier,
    )
    session.add_all([brief, estimate])
    session.flush()
    first = _brief_pdf(client, project, 1, "A blog the team can write in.")
    second = _brief_pdf(client, project, 2, "A newsletter sign-up on every page.")
    _add_version(session, brief, 1, first, "project-brief.pdf", uploader, earlier)
    _add_version(session, estimate, 1, _ESTIMATE.encode(), "estimate.csv", uploader, earlier)
    _add_version(session, brief, 2, second, "project-brief.pdf", uploader, now)
    session.flush()
    return [brief, estimate]
