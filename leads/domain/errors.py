"""Every error the domain and services raise, flat, with no HTTP in them.

The API's one exception handler maps the families (ValidationFailed, NotFound, Conflict,
Forbidden, NotAuthenticated) to status codes; `code` is the machine-readable reason clients see.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        self.details = details or {}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "invalid"
    default_message = "The input is not valid."

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", fields={field: [message]})


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class LeadNotFound(NotFound):
    code = "lead_not_found"


class StageNotFound(NotFound):
    code = "stage_not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


class ViewNotFound(NotFound):
    code = "view_not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class ConfigNotFound(NotFound):
    code = "config_not_found"
    default_message = "The workflow is not configured yet: run `python manage.py init_lead_data`."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The request conflicts with the current state."


class VersionConflict(Conflict):
    code = "version_conflict"
    default_message = "Someone else changed this record; reload it and try again."


class DuplicateKey(Conflict):
    code = "duplicate"


class MergeTooLarge(Conflict):
    code = "merge_too_large"


class StaleBoard(Conflict):
    code = "stale_board"
    default_message = "The board changed meanwhile; reload it."


class TaskNotSkippable(Conflict):
    code = "task_not_skippable"


class NoInitialStage(Conflict):
    code = "no_initial_stage"
    default_message = (
        "The workflow has no initial stage: an admin sets `initial_stage` in /api/config/."
    )


class InitialStageInUse(Conflict):
    code = "initial_stage_in_use"
    default_message = "This is the initial stage: choose another initial stage before deleting it."


class LeadNumbersExhausted(Conflict):
    code = "lead_number_unavailable"
    default_message = "Could not allocate a lead number; try again."


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = "This is the last active admin: make someone else admin first."


class StageInUse(Conflict):
    code = "stage_in_use"


class ConfigLocked(Conflict):
    code = "config_locked"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class BlockingTasks(Conflict):
    code = "blocking_tasks"


class MissingRequiredFields(Conflict):
    code = "missing_required_fields"


class MissingLostReason(Conflict):
    code = "lost_reason_required"


class UndoNotAvailable(Conflict):
    code = "undo_not_available"


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    default_message = "Sign in first."


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = "Unknown username or wrong password."


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    default_message = "Too many failed sign-ins; wait a while and try again."

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(
            f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            details={"retry_after_seconds": retry_after_seconds},
        )


class TooLarge(DomainError):
    code = "payload_too_large"
    default_message = "The request body is too large."


class FileTooLarge(TooLarge):
    code = "file_too_large"


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "Your role does not allow this."


class AuditNotWritten(DomainError):
    """A change made in one transaction with its audit entry could not write the entry, so the
    change was not made either."""

    code = "audit_unavailable"
    default_message = (
        "The change could not be recorded in the audit log, so it was not made; try again."
    )


class WebhookNotFound(NotFound):
    code = "webhook_not_found"


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"


class DeliveryUnfinished(Conflict):
    code = "delivery_unfinished"
    default_message = "This delivery is still being sent or retried; redeliver it once it ends."


class WebhookInactive(Conflict):
    code = "webhook_inactive"
    default_message = "The webhook is switched off: activate it (PATCH active) first."


class RuleNotFound(NotFound):
    code = "rule_not_found"


class TooManyRules(Conflict):
    code = "too_many_rules"
    default_message = "There are 200 automation rules already: delete one first."
