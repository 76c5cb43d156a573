"""What a save of the firm's settings changed, for the audit trail: each changed setting by its
label, short values as "before → after", free text and bank details only as "changed" (they
are long, or not for every administrator reading the trail to copy)."""

from __future__ import annotations

from typing import Any

from timetracker.models import Settings

#: The settings the form saves, by attribute, with their label.
SHOWN = {
    "company_name": "Company name",
    "company_email": "Company email",
    "currency": "Currency",
    "timezone": "Timezone",
    "locale": "Locale",
    "invoice_prefix": "Invoice prefix",
    "payment_terms_days": "Payment terms (days)",
    "invoice_rounding_minutes": "Invoice rounding (minutes)",
    "require_two_factor": "Two-factor sign-in required for",
    "audit_retention_days": "Audit retention (days)",
    "document_max_mb": "Largest document (MB)",
    "document_quota_mb": "Documents per client (MB)",
    "clients_may_upload": "Clients may upload",
    "budget_alerts_to_clients": "Budget alerts to clients",
    "vat_id": "VAT ID",
}
#: Named only as changed.
NAMED = {
    "company_address": "Company address",
    "registration_details": "Registration details",
    "bank_account_holder": "Account holder",
    "bank_name": "Bank",
    "bank_iban": "IBAN",
    "bank_bic": "BIC",
}


def snapshot(row: Settings) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (*SHOWN, *NAMED)}


def describe(before: dict[str, Any], row: Settings) -> str | None:
    """The changes from ``before`` (a :func:`snapshot`) to ``row``, one per line; ``None``
    when nothing changed."""
    lines = []
    for name, label in SHOWN.items():
        old, new = before[name], getattr(row, name)
        if old != new:
            lines.append(f"{label}: {_shown(old)} → {_shown(new)}")
    lines += [
        f"{label}: changed" for name, label in NAMED.items() if before[name] != getattr(row, name)
    ]
    return "\n".join(lines) or None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
