"""The domain model. Import every model here so that Alembic and the app see the same metadata."""

from timetracker.models.api import ApiToken, WebhookDelivery, WebhookEndpoint
from timetracker.models.clients import Client
from timetracker.models.collaboration import Comment, CommentRead, Document, DocumentVersion
from timetracker.models.identity import (
    AuditEvent,
    KnownBrowser,
    RecoveryCode,
    TokenPurpose,
    UserToken,
)
from timetracker.models.insight import BudgetAlert
from timetracker.models.invoices import (
    EmailDelivery,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
)
from timetracker.models.logos import Logo
from timetracker.models.project_updates import DeliveryStatus, ProjectNote, ProjectStatusUpdate
from timetracker.models.projects import Project, ProjectStatus
from timetracker.models.quotes import (
    PaymentNotice,
    Quote,
    QuoteItem,
    QuoteSequence,
    QuoteStatus,
)
from timetracker.models.rate_limits import RateLimitCounter
from timetracker.models.sessions import UserSession
from timetracker.models.settings import Settings
from timetracker.models.time_entries import TimeEntry
from timetracker.models.time_totals import TimeEntryMonth
from timetracker.models.users import Role, User

__all__ = [
    "BudgetAlert",
    "ApiToken",
    "WebhookDelivery",
    "WebhookEndpoint",
    "AuditEvent",
    "KnownBrowser",
    "RecoveryCode",
    "TokenPurpose",
    "UserToken",
    "Client",
    "Comment",
    "CommentRead",
    "Document",
    "DocumentVersion",
    "DeliveryStatus",
    "EmailDelivery",
    "Invoice",
    "InvoiceItem",
    "InvoiceSequence",
    "InvoiceStatus",
    "Payment",
    "PaymentNotice",
    "Project",
    "ProjectNote",
    "ProjectStatus",
    "ProjectStatusUpdate",
    "Quote",
    "QuoteItem",
    "QuoteSequence",
    "QuoteStatus",
    "RateLimitCounter",
    "Role",
    "Settings",
    "TimeEntry",
    "TimeEntryMonth",
    "Logo",
    "User",
    "UserSession",
]
