"""Jobs: long or deferred work (an import, later a webhook delivery) that a worker process runs.

A job is one document. Workers claim it atomically with a lease they renew while working; a
worker that dies stops renewing, and once its lease runs out another worker claims the job
again and resumes from the checkpoint the handler last saved.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from .models import Document, utcnow


class JobStatus(StrEnum):
    # Being prepared (an uploaded import waiting for its mapping): no worker claims it.
    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Document):
    uid: str
    kind: str
    status: JobStatus = JobStatus.QUEUED
    # What the job's kind needs to do its work; only its handler reads it.
    payload: dict[str, Any] = Field(default_factory=dict)
    # Where the handler got to, saved by it (with `progress`) in the step that makes its work
    # durable, so a job claimed again resumes there.
    checkpoint: dict[str, Any] = Field(default_factory=dict)
    progress: dict[str, int] = Field(default_factory=dict)
    lease_owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    error: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
