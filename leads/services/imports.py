"""Imports of leads from CSV/XLSX: upload, preview, run (as a worker job) and failed rows.

A run goes through the file in batches. For each batch it decides every row (create, update,
skip, or fail) against the leads as they are, then makes the batch durable in this order:
failed rows saved (idempotent: one document per row), the plan (which rows create, with the
lead numbers reserved for them in the same transaction, and which rows update which lead)
saved in the job, the leads inserted and updated, then the checkpoint moved past the batch.
A worker killed anywhere in between is replaced by one that finds the plan and carries it out
again: creates reuse their reserved numbers (a lead already inserted is passed over), updates
are decided again against the lead (one already applied changes nothing), and the counts come
from the plan, so every row is applied and counted once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from pydantic import BaseModel, Field

from leads.domain.changes import (
    LeadChange,
    created_activity,
    entered_visit,
    next_due_at,
    stage_tasks,
    with_derived_fields,
)
from leads.domain.contacts import email_key, phone_key
from leads.domain.errors import (
    ConfigNotFound,
    Conflict,
    FileTooLarge,
    NotFound,
)
from leads.domain.events import EventKind, WriteStamp, actor_of
from leads.domain.imports import (
    MAX_FILE_BYTES,
    ImportOptions,
    NewLead,
    ParsedRow,
    RowError,
    RowInvalid,
    RowReader,
    suggest_mapping,
)
from leads.domain.jobs import Job, JobStatus
from leads.domain.models import (
    User,
    WorkItem,
    new_uid,
    utcnow,
)
from leads.domain.ranks import rank_for_arrival
from leads.store import imports as import_store
from leads.store import jobs as job_store
from leads.store import leads as lead_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store

from . import import_files
from .jobs import JobRun
from .lead_writes import Loaded, lead_write

logger = logging.getLogger(__name__)

IMPORT = "import"
BATCH_ROWS = 1000
PREVIEW_SECONDS = 3.0
PREVIEW_ERRORS = 50
COUNTS = ("total", "processed", "created", "updated", "skipped", "failed")


class ImportNotFound(NotFound):
    code = "import_not_found"


class ImportAlreadyStarted(Conflict):
    code = "import_started"
    default_message = "This import has been started already; upload the file again to rerun it."


class FileFormatOut(BaseModel):
    kind: str
    encoding: str | None = None
    delimiter: str | None = None


class ImportPayload(BaseModel):
    """What an import job holds: the stored file, what was found in it, and the options."""

    file_id: str
    file_name: str
    size: int
    format: FileFormatOut
    columns: list[str]
    sample_rows: list[list[str]]
    # Kept with the file, so a tab that did not upload it (a reload) offers the same mapping.
    suggested_mapping: dict[str, str | None] = Field(default_factory=dict)
    options: ImportOptions | None = None


@dataclass(frozen=True)
class Upload:
    job: Job
    payload: ImportPayload
    suggested_mapping: dict[str, str | None]


def payload_of(job: Job) -> ImportPayload:
    return ImportPayload.model_validate(job.payload)


def _format(payload: ImportPayload) -> import_files.FileFormat:
    return import_files.FileFormat(
        kind="xlsx" if payload.format.kind == "xlsx" else "csv",
        encoding=payload.format.encoding,
        delimiter=payload.format.delimiter,
    )


def import_upload(*, stream: IO[bytes], name: str, size: int, actor: User) -> Upload:
    """Check the whole file and keep it for a preview and a run. Raises FileTooLarge,
    ValidationFailed (on `file`: not a spreadsheet, no header, a formula, ...), and stores
    nothing when it does."""
    if size > MAX_FILE_BYTES:
        raise FileTooLarge(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    inspection = import_files.inspect(stream)
    config = workflow_store.get_config()
    if config is None:
        raise ConfigNotFound()
    file_name = name.replace("\x00", "")[:255] or "upload"
    file_id = import_store.save_file(stream, name=file_name)
    payload = ImportPayload(
        file_id=file_id,
        file_name=file_name,
        size=size,
        format=FileFormatOut(
            kind=inspection.format.kind,
            encoding=inspection.format.encoding,
            delimiter=inspection.format.delimiter,
        ),
        columns=inspection.columns,
        sample_rows=inspection.sample_rows,
        suggested_mapping=suggest_mapping(inspection.columns, config),
    )
    job = Job(
        uid=new_uid("imp"),
        kind=IMPORT,
        status=JobStatus.DRAFT,
        payload=payload.model_dump(mode="json"),
        progress={name: 0 for name in COUNTS} | {"total": inspection.total},
        created_by=actor.uid,
    )
    try:
        job_store.insert_job(job)
    except Exception:
        import_store.delete_file(file_id)
        raise
    return Upload(job=job, payload=payload, suggested_mapping=payload.suggested_mapping)


def import_get(*, uid: str) -> Job:
    """Raises ImportNotFound."""
    job = job_store.get_job(uid, IMPORT)
    if job is None:
        raise ImportNotFound(f"No import {uid}.")
    return job


def _reader(payload: ImportPayload, options: ImportOptions, actor: User) -> RowReader:
    config, stages = workflow_store.get_config_and_stages()
    if config is None:
        raise ConfigNotFound()
    return RowReader(
        columns=payload.columns,
        options=options,
        config=config,
        stages=stages,
        users=user_store.list_users(active_only=True),
        actor=actor,
    )


def _parsed_rows(
    stream: IO[bytes], payload: ImportPayload, reader: RowReader, *, from_row: int = 2
) -> Iterator[ParsedRow]:
    """The file's non-blank data rows from spreadsheet row `from_row` on (the header is 1)."""
    rows = import_files.rows(stream, _format(payload))
    for cells in rows:
        if not import_files.is_blank(cells):
            break  # the header
    for number, cells in enumerate(rows, start=2):
        if number < from_row or import_files.is_blank(cells):
            continue
        yield reader.read(number, cells)


# --- deciding a batch --------------------------------------------------------------------


@dataclass
class Decision:
    creates: list[tuple[ParsedRow, NewLead]] = field(default_factory=list)
    # rows matching a lead (its uid) to update
    matched: list[tuple[ParsedRow, str]] = field(default_factory=list)
    # rows that repeat the key of a row created or updated earlier in this batch; a run puts
    # them in the next batch (which then sees that lead), a preview counts them here
    repeats: list[ParsedRow] = field(default_factory=list)
    skipped: int = 0
    failed: list[tuple[ParsedRow, list[RowError]]] = field(default_factory=list)


def _key_field(match_on: str) -> str:
    return {"email": "email_key", "phone": "phone_key", "uid": "uid"}[match_on]


def _decide(
    reader: RowReader, rows: list[ParsedRow], *, split: bool, seen: set[str] | None = None
) -> Decision:
    """Decide each row in file order. A row repeating the key of one created or updated before
    it (in this batch, or in `seen`) ends the batch when `split` (a run: the next batch sees
    that lead), else is listed in `repeats` (a preview, which writes nothing)."""
    options = reader.options
    decision = Decision()
    keys = sorted({row.key for row in rows if row.key is not None})
    matches = (
        import_store.find_uids_by_key(_key_field(options.match_on), keys)
        if keys and options.match_on != "none"
        else {}
    )
    touched: set[str] = seen if seen is not None else set()
    for position, parsed in enumerate(rows):
        key = parsed.key
        if key is not None and options.on_match != "create" and key in touched:
            if split:
                decision.repeats = rows[position:]
                break
            decision.repeats.append(parsed)
            continue
        targets = matches.get(key, []) if key is not None else []
        if targets and options.on_match != "create":
            if options.on_match == "skip":
                decision.skipped += 1
            elif len(targets) > 1:
                message = (
                    f"matches {len(targets)} leads ({', '.join(targets[:3])}): "
                    "match them by uid instead"
                )
                column = reader.column(options.match_on)
                decision.failed.append((parsed, [RowError(parsed.row, column, message)]))
            else:
                decision.matched.append((parsed, targets[0]))
                touched.add(key)  # type: ignore[arg-type]
            continue
        try:
            decision.creates.append((parsed, reader.as_create(parsed)))
        except RowInvalid as exc:
            decision.failed.append((parsed, exc.errors))
            continue
        if key is not None:
            touched.add(key)
    return decision


def _changes(
    reader: RowReader, matched: list[tuple[ParsedRow, str]], actor: User, now: datetime
) -> tuple[
    list[tuple[ParsedRow, WorkItem, LeadChange]], int, list[tuple[ParsedRow, list[RowError]]]
]:
    """The change each matched row makes to its lead; rows that change nothing; invalid rows."""
    leads = import_store.get_leads_for_update([uid for _, uid in matched])
    changes: list[tuple[ParsedRow, WorkItem, LeadChange]] = []
    unchanged = 0
    failed: list[tuple[ParsedRow, list[RowError]]] = []
    for parsed, uid in matched:
        lead = leads.get(uid)
        if lead is None:  # deleted since it was matched
            unchanged += 1
            continue
        try:
            change = reader.update(parsed, lead, actor, now)
        except RowInvalid as exc:
            failed.append((parsed, exc.errors))
            continue
        if change is None:
            unchanged += 1
        else:
            changes.append((parsed, lead, change))
    return changes, unchanged, failed


# --- preview -----------------------------------------------------------------------------


@dataclass
class Preview:
    rows_checked: int = 0
    complete: bool = True
    would_create: int = 0
    would_update: int = 0
    would_skip: int = 0
    would_fail: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_preview(*, uid: str, options: ImportOptions, actor: User) -> Preview:
    """What a run with `options` would do, row by row as a run decides, writing nothing; over
    the whole file, or as much of it as PREVIEW_SECONDS allow (then `complete` is false).
    Raises ImportNotFound, ValidationFailed (options that do not fit the file)."""
    job = import_get(uid=uid)
    payload = payload_of(job)
    reader = _reader(payload, options, actor)
    preview = Preview()
    deadline = time.monotonic() + PREVIEW_SECONDS
    now = utcnow()
    # Keys of rows that would create or update a lead: a later row with the same key matches
    # that lead.
    created_keys: set[str] = set()
    with import_store.open_file(payload.file_id) as stream:
        for batch in _batches(_parsed_rows(stream, payload, reader)):
            decision = _decide(reader, batch, split=False, seen=created_keys)
            changes, unchanged, invalid = _changes(reader, decision.matched, actor, now)
            preview.would_create += len(decision.creates)
            preview.would_update += len(changes)
            preview.would_skip += decision.skipped + unchanged
            for _repeat in decision.repeats:
                # A repeat of a row earlier in the file: its lead exists by then.
                if reader.options.on_match == "skip":
                    preview.would_skip += 1
                else:
                    preview.would_update += 1
            for _parsed, errors in [*decision.failed, *invalid]:
                preview.would_fail += 1
                preview.errors.extend(errors[: PREVIEW_ERRORS - len(preview.errors)])
            preview.rows_checked += len(batch)
            if time.monotonic() > deadline:
                preview.complete = False
                break
    preview.complete = preview.complete and preview.rows_checked == job.progress.get("total", 0)
    return preview


def _batches(rows: Iterator[ParsedRow], size: int = BATCH_ROWS) -> Iterator[list[ParsedRow]]:
    batch: list[ParsedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- run -----------------------------------------------------------------------------------


def import_run(*, uid: str, options: ImportOptions, actor: User) -> Job:
    """Queue the import with `options` for a worker. Raises ImportNotFound, ValidationFailed,
    ImportAlreadyStarted."""
    job = import_get(uid=uid)
    payload = payload_of(job)
    _reader(payload, options, actor)  # options that do not fit the file are a 400 now
    queued = job_store.update_draft(
        uid,
        IMPORT,
        {
            "payload.options": options.model_dump(mode="json"),
            "status": JobStatus.QUEUED.value,
            "queued_at": utcnow(),
        },
    )
    if queued is None:
        raise ImportAlreadyStarted()
    return queued


def _error_text(errors: list[RowError]) -> str:
    row = errors[0].row
    return f"row {row}: " + "; ".join(f"{error.column}: {error.message}" for error in errors)


class _Creates:
    """Lead documents for a batch's creates, built from one model per stage (what lead_create
    stores, checked by Pydantic once) with each row's own values: a create costs a few dict
    copies, not a model validation."""

    def __init__(self, *, actor: User, now: datetime, import_uid: str, file_name: str) -> None:
        self.actor = actor
        self.now = now
        self.import_uid = import_uid
        self.file_name = file_name
        self._templates: dict[str, dict[str, Any]] = {}

    def _template(self, new: NewLead) -> dict[str, Any]:
        stage = new.stage
        template = self._templates.get(stage.uid)
        if template is None:
            now, actor = self.now, self.actor
            tasks = stage_tasks(stage, actor=actor, now=now)
            activity = created_activity(stage, actor, now)
            activity = activity.model_copy(
                update={
                    "body": f"Lead created in {stage.name} by the import of {self.file_name}",
                    "details": {**activity.details, "import": self.import_uid},
                }
            )
            model = WorkItem(
                uid="template",
                name="template",
                current_stage=stage.uid,
                rank=rank_for_arrival(now),
                stage_entered_at=now,
                tasks=tasks,
                next_due_at=next_due_at(tasks),
                last_activity_at=now,
                activities=[activity],
                history=[entered_visit(stage, actor=actor, now=now)],
                created_at=now,
                updated_at=now,
                created_by=actor.uid,
            )
            template = import_store.lead_document(model)
            self._templates[stage.uid] = template
        return template

    def document(self, new: NewLead) -> dict[str, Any]:
        """The lead's document, all but its uid (its number is given when the batch is
        planned)."""
        template = self._template(new)
        lead = new.lead
        document = dict(template)
        document.update(
            name=lead.name,
            email=lead.email,
            phone=lead.phone,
            company=lead.company,
            source=lead.source,
            tags=lead.tags,
            data=new.data,
            assigned_to=new.assigned_to,
            email_key=email_key(lead.email),
            phone_key=phone_key(lead.phone),
            rank=rank_for_arrival(self.now),
            tasks=[{**task, "uid": new_uid("task")} for task in template["tasks"]],
            activities=[{**template["activities"][0], "uid": new_uid("act")}],
        )
        return document

    def documents(
        self, creates: list[tuple[ParsedRow, NewLead]], uids: list[str]
    ) -> list[dict[str, Any]]:
        documents = []
        for (parsed, new), uid in zip(creates, uids, strict=True):
            document = parsed.document if parsed.document is not None else self.document(new)
            document["uid"] = uid
            stamp = WriteStamp(
                kind=EventKind.LEAD_CREATED,
                uid=uid,
                version=1,
                at=self.now,
                by=actor_of(self.actor),
                to_stage=document["current_stage"],
            )
            documents.append(import_store.stamped(document, stamp))
        return documents


def _numbers(month: str, first: int, count: int) -> list[str]:
    return [f"LEAD-{month}-{number:05d}" for number in range(first, first + count)]


def _apply_updates(
    reader: RowReader,
    changes: list[tuple[ParsedRow, WorkItem, LeadChange]],
    actor: User,
) -> None:
    """In one bulk write of conditional updates; a lead changed meanwhile goes through
    lead_write, decided again on what it is now."""
    conflicted = lead_store.write_lead_changes(
        [
            (lead.uid, lead.version, with_derived_fields(lead, change, actor=actor))
            for _, lead, change in changes
        ]
    )
    for parsed, lead, _change in changes:
        if lead.uid in conflicted:
            _update_one(reader, parsed, lead.uid, actor)


def _update_one(reader: RowReader, parsed: ParsedRow, uid: str, actor: User) -> None:
    def decide(loaded: Loaded) -> LeadChange | None:
        return reader.update(parsed, loaded.lead, actor, utcnow())

    try:
        lead_write(uid=uid, actor=actor, expected_version=None, decide=decide)
    except (RowInvalid, NotFound) as exc:
        # The lead changed (or went) so that the row no longer applies; it was counted when
        # the batch was decided.
        logger.warning("import row %s on %s no longer applies: %s", parsed.row, uid, exc)


def import_job(run: JobRun) -> None:
    """The worker's handler for kind `import`."""
    job = run.job
    payload = payload_of(job)
    if payload.options is None:
        raise RuntimeError("an import is queued only with its options")
    actor = user_store.get_user(job.created_by or "")
    if actor is None:
        raise RuntimeError("the user who started the import no longer exists")
    reader = _reader(payload, payload.options, actor)
    progress = {name: run.progress.get(name, 0) for name in COUNTS}
    next_row = int(run.checkpoint.get("next_row", 2))
    plan: dict[str, Any] | None = run.checkpoint.get("plan")
    with (
        import_store.open_file(payload.file_id) as stream,
        _prepared(
            _parsed_rows(stream, payload, reader, from_row=next_row),
            reader,
            lambda: _Creates(
                actor=actor, now=utcnow(), import_uid=job.uid, file_name=payload.file_name
            ),
        ) as rows,
    ):
        pending: list[ParsedRow] = []
        if plan is not None:
            batch = _take_until(rows, pending, int(plan["end_row"]))
            _replay(reader, run, payload, batch, plan, actor)
            progress = dict(plan["progress"])
            next_row = int(plan["end_row"])
            run.save({"next_row": next_row}, progress)
        while True:
            run.check()
            batch = _take(rows, pending, BATCH_ROWS)
            if not batch:
                break
            progress, next_row = _run_batch(reader, run, payload, batch, pending, progress, actor)


_DONE = object()


@contextlib.contextmanager
def _prepared(
    rows: Iterator[ParsedRow], reader: RowReader, creator: Callable[[], _Creates]
) -> Iterator[Iterator[ParsedRow]]:
    """`rows`, each read as a create (and its document built) by a thread of its own, a few
    batches ahead: parsing and validating the next batch (Python) overlaps the database storing
    this one (mongod)."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            chunk: list[ParsedRow] = []
            documents = creator()
            for parsed in rows:
                reader.prepare(parsed)
                if parsed.new is not None:
                    parsed.document = documents.document(parsed.new)
                chunk.append(parsed)
                if len(chunk) == BATCH_ROWS and not put(chunk):
                    return
                if len(chunk) == BATCH_ROWS:
                    chunk, documents = [], creator()
            if chunk and not put(chunk):
                return
            put(_DONE)
        except BaseException as exc:
            put(exc)

    def consume() -> Iterator[ParsedRow]:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    producer = threading.Thread(target=produce, daemon=True, name="import-reader")
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join()


def _take(rows: Iterator[ParsedRow], pending: list[ParsedRow], size: int) -> list[ParsedRow]:
    batch = pending[:size]
    del pending[:size]
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            break
    return batch


def _take_until(
    rows: Iterator[ParsedRow], pending: list[ParsedRow], end_row: int
) -> list[ParsedRow]:
    batch = []
    for row in rows:
        if row.row >= end_row:
            pending.append(row)
            break
        batch.append(row)
    return batch


def _run_batch(
    reader: RowReader,
    run: JobRun,
    payload: ImportPayload,
    rows: list[ParsedRow],
    pending: list[ParsedRow],
    progress: dict[str, int],
    actor: User,
) -> tuple[dict[str, int], int]:
    now = utcnow()
    decision = _decide(reader, rows, split=True)
    # The rows from a repeat on wait for the next batch, which sees what this one wrote.
    pending[:0] = decision.repeats
    batch = rows[: len(rows) - len(decision.repeats)]
    end_row = decision.repeats[0].row if decision.repeats else batch[-1].row + 1
    changes, unchanged, invalid = _changes(reader, decision.matched, actor, now)
    failed = [*decision.failed, *invalid]
    after = dict(progress)
    after["processed"] += len(batch)
    after["created"] += len(decision.creates)
    after["updated"] += len(changes)
    after["skipped"] += decision.skipped + unchanged
    after["failed"] += len(failed)
    import_store.save_failed_rows(
        run.job.uid, [(parsed.row, parsed.cells, _error_text(errors)) for parsed, errors in failed]
    )
    month = now.strftime("%Y%m")
    plan: dict[str, Any] = {
        "end_row": end_row,
        "month": month,
        "creates": [parsed.row for parsed, _ in decision.creates],
        "updates": [[parsed.row, lead.uid] for parsed, lead, _ in changes],
        "progress": after,
    }
    checkpoint = {"next_row": batch[0].row, "plan": plan}
    uids: list[str] = []
    if decision.creates:
        first = import_store.reserve_numbers_and_save_plan(
            month=month,
            count=len(decision.creates),
            batch_row=batch[0].row,
            job_uid=run.job.uid,
            owner=run.owner,
            checkpoint=lambda first: {**checkpoint, "plan": {**plan, "first_number": first}},
            progress=progress,
            lease_until=run.lease_until(),
            now=now,
        )
        if first is None:
            run.lost.set()
            run.check()
        assert first is not None
        uids = _numbers(month, first, len(decision.creates))
    elif changes:
        run.save(checkpoint, progress)
    creator = _Creates(actor=actor, now=now, import_uid=run.job.uid, file_name=payload.file_name)
    import_store.insert_new_leads(creator.documents(decision.creates, uids))
    _apply_updates(reader, changes, actor)
    run.save({"next_row": end_row}, after)
    return after, end_row


def _replay(
    reader: RowReader,
    run: JobRun,
    payload: ImportPayload,
    rows: list[ParsedRow],
    plan: dict[str, Any],
    actor: User,
) -> None:
    """Carry out the plan a worker saved before it stopped: the same rows create with the same
    numbers (those already stored are passed over), the same rows update the same leads
    (decided again, so one already applied changes nothing)."""
    by_row = {parsed.row: parsed for parsed in rows}
    creates = [by_row[row] for row in plan["creates"] if row in by_row]
    first = plan.get("first_number")
    if creates and first is not None:
        creator = _Creates(
            actor=actor, now=utcnow(), import_uid=run.job.uid, file_name=payload.file_name
        )
        pairs = [(parsed, reader.new_lead(parsed)) for parsed in creates]
        import_store.insert_new_leads(
            creator.documents(pairs, _numbers(plan["month"], int(first), len(pairs)))
        )
    for row, uid in plan["updates"]:
        if row in by_row:
            _update_one(reader, by_row[row], uid, actor)


def import_failed_rows_csv(*, uid: str) -> Iterator[str]:
    """The failed rows as CSV text, the file's columns plus `error`, streamed in row order.
    Raises ImportNotFound."""
    job = import_get(uid=uid)
    columns = payload_of(job).columns

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*columns, "error"])
        for _row, cells, error in import_store.failed_rows(uid):
            padded = [*cells[: len(columns)], *[""] * (len(columns) - len(cells))]
            writer.writerow([*padded, error])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return lines()
