"""The lead a webhook delivery carries: the API's lead detail, read when the delivery is sent.

The worker hands `lead_payload` to the webhook sender (services know nothing of the API)."""

from __future__ import annotations

from typing import Any

from leads.domain.enums import UserRole
from leads.domain.errors import LeadNotFound
from leads.domain.models import User
from leads.selectors import leads as lead_selectors

from .mappers import lead_out

# Whom a delivery shows the lead to: a member (the moves a seller has), who undid nothing.
_RECEIVER = User(uid="webhooks", username="webhooks", display_name="Webhooks", role=UserRole.MEMBER)


def lead_payload(uid: str) -> dict[str, Any] | None:
    """The lead `uid` as GET /api/leads/{uid}/ shows it; None once it is deleted."""
    try:
        detail = lead_selectors.lead_get(uid=uid, actor=_RECEIVER)
    except LeadNotFound:
        return None
    return lead_out(detail).model_dump(mode="json")
