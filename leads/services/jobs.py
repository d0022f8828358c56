"""The worker: claims jobs with a lease, runs each by its kind's handler, renews the lease
while the handler works, and records how the job ended.

Kinds are registered by name (`job_kinds.HANDLERS`); a handler saves its checkpoint through
`JobRun.save`, which fails with LeaseLost once another worker has taken the job over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from leads.domain.jobs import Job, JobStatus
from leads.domain.models import new_uid, utcnow
from leads.store import jobs as job_store
from leads.store.connection import is_database_unavailable

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
POLL_SECONDS = 1.0
# A job whose handler keeps failing on a database that cannot be reached is given up after this.
MAX_ATTEMPTS = 5


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow to renew its lease)."""


class Stopping(Exception):
    """The worker is asked to stop: the job goes back to the queue at its last checkpoint."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{new_uid('w')}"


class JobRun:
    """One worker's run of one claimed job: its checkpoint, its progress, and the lease."""

    def __init__(
        self,
        job: Job,
        *,
        owner: str,
        lease_seconds: float,
        stop: threading.Event | None = None,
    ) -> None:
        self.job = job
        self.stop = stop or threading.Event()
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.checkpoint: dict[str, Any] = dict(job.checkpoint)
        self.progress: dict[str, int] = dict(job.progress)
        self.lost = threading.Event()

    def lease_until(self) -> datetime:
        return utcnow() + timedelta(seconds=self.lease_seconds)

    def check(self) -> None:
        """Called by handlers between steps. Raises LeaseLost, or Stopping when the worker is
        asked to stop."""
        if self.lost.is_set():
            raise LeaseLost(self.job.uid)
        if self.stop.is_set():
            raise Stopping(self.job.uid)

    def save(self, checkpoint: dict[str, Any], progress: dict[str, int]) -> None:
        """Store the checkpoint and progress (renewing the lease). Raises LeaseLost."""
        self.check()
        saved = job_store.save_checkpoint(
            uid=self.job.uid,
            owner=self.owner,
            checkpoint=checkpoint,
            progress=progress,
            lease_until=self.lease_until(),
            now=utcnow(),
        )
        if not saved:
            self.lost.set()
            raise LeaseLost(self.job.uid)
        self.checkpoint = checkpoint
        self.progress = progress

    def renew(self) -> None:
        if not job_store.renew_lease(
            uid=self.job.uid, owner=self.owner, lease_until=self.lease_until()
        ):
            self.lost.set()


Handler = Callable[[JobRun], None]


def handlers() -> Mapping[str, Handler]:
    from .job_kinds import HANDLERS

    return HANDLERS


def _heartbeat(run: JobRun, done: threading.Event) -> None:
    while not done.wait(run.lease_seconds / 3):
        try:
            run.renew()
        except Exception:
            # A missed renewal is not fatal: the next one may work, and the lease is long.
            logger.warning("could not renew the lease of job %s", run.job.uid, exc_info=True)
        if run.lost.is_set():
            return


def job_run(
    job: Job,
    *,
    owner: str,
    lease_seconds: float = LEASE_SECONDS,
    stop: threading.Event | None = None,
) -> JobRun:
    """Run a job this worker has claimed until it ends (done or failed), until `stop` is set
    (the job goes back to the queue), or until its lease is lost or the database goes away
    (then the lease runs out and another worker resumes it)."""
    run = JobRun(job, owner=owner, lease_seconds=lease_seconds, stop=stop)
    handler = handlers().get(job.kind)
    done = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(run, done), daemon=True)
    beat.start()
    try:
        if handler is None:
            raise RuntimeError(f"no handler for jobs of kind {job.kind!r}")
        handler(run)
    except LeaseLost:
        logger.warning("job %s was taken over by another worker", job.uid)
        return run
    except Stopping:
        job_store.release_job(uid=job.uid, owner=owner, now=utcnow())
        logger.info("job %s goes back to the queue at its checkpoint", job.uid)
        return run
    except Exception as exc:
        if is_database_unavailable(exc) and job.attempts < MAX_ATTEMPTS:
            logger.warning("job %s stopped: the database cannot be reached", job.uid)
            return run
        logger.exception("job %s failed", job.uid)
        job_store.finish_job(
            uid=job.uid,
            owner=owner,
            status=JobStatus.FAILED,
            progress=run.progress,
            error=str(exc) or type(exc).__name__,
            now=utcnow(),
        )
        return run
    finally:
        done.set()
        beat.join()
    job_store.finish_job(
        uid=job.uid,
        owner=owner,
        status=JobStatus.DONE,
        progress=run.progress,
        error=None,
        now=utcnow(),
    )
    return run


def job_claim(
    *, owner: str, lease_seconds: float = LEASE_SECONDS, uid: str | None = None
) -> Job | None:
    """The next job to run (or the job `uid`, when it may be run), now this worker's."""
    now = utcnow()
    return job_store.claim_job(
        kinds=list(handlers()),
        owner=owner,
        now=now,
        lease_until=now + timedelta(seconds=lease_seconds),
        uid=uid,
    )


def job_run_now(*, uid: str, stop: threading.Event | None = None) -> JobRun | None:
    """Run the job `uid` in this process (a command, a test), as a worker would; None when it
    is not queued (or another worker holds it)."""
    owner = worker_name()
    job = job_claim(owner=owner, uid=uid)
    if job is None:
        return None
    return job_run(job, owner=owner, stop=stop)


def worker_loop(
    *, stop: threading.Event, owner: str | None = None, poll_seconds: float = POLL_SECONDS
) -> None:
    """Claim and run jobs until `stop` is set (checked between jobs and while idle)."""
    name = owner or worker_name()
    logger.info("worker %s started", name)
    while not stop.is_set():
        try:
            job = job_claim(owner=name)
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            logger.warning("worker %s: the database cannot be reached", name)
            job = None
        if job is None:
            stop.wait(poll_seconds)
            continue
        logger.info("worker %s runs job %s (%s)", name, job.uid, job.kind)
        job_run(job, owner=name, stop=stop)
    logger.info("worker %s stopped", name)
