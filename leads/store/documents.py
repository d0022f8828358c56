"""Model <-> MongoDB document conversion. `_id` and `type` never leave the store."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from leads.domain.events import WriteStamp

from .connection import Doc

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

LEAD = "lead"
STAGE = "stage"
CONFIG = "config"
COUNTER = "counter"


def to_document(model: BaseModel, doc_type: str | None = None) -> Doc:
    document: Doc = model.model_dump(mode="python")
    if doc_type is not None:
        document["type"] = doc_type
    return document


def to_value(model: BaseModel) -> Doc:
    """An embedded document (a task, an activity, a history entry) as it is stored."""
    return to_document(model)


def from_document(model_class: type[M], document: Doc | None) -> M | None:
    if document is None:
        return None
    return model_class.model_validate(document)


def from_documents(model_class: type[M], documents: Any) -> list[M]:
    return [model_class.model_validate(document) for document in documents]


def readable_documents(model_class: type[M], documents: Iterable[Doc]) -> list[M]:
    """The documents that make a valid `model_class`, in order. A list or a board must not fail
    for everyone over one document an older version or an import stored wrongly: such a
    document is left out and logged, to be fixed where it is."""
    models = []
    for document in documents:
        try:
            models.append(model_class.model_validate(document))
        except ValidationError as exc:
            logger.warning(
                "left out unreadable %s %r: %s",
                model_class.__name__,
                document.get("uid"),
                exc.errors(include_url=False, include_input=False),
            )
    return models


# Each announced write stores its stamp (domain.events.WriteStamp) here, as ONE string rather
# than a sub-document: a change stream reports a rewritten sub-document field by field, leaving
# out the parts equal to the previous stamp's, but a string whole.
LAST_WRITE = "last_write"
_UID_MARK = "\u0000uid\u0000"


def stamp_text(stamp: WriteStamp) -> str:
    return stamp.model_dump_json()


def stamp_expression(stamp: WriteStamp) -> Doc:
    """The stamp as an update pipeline expression naming each written lead by its own uid (one
    update of many leads); the stamp's own uid is ignored."""
    before, after = stamp_text(stamp.model_copy(update={"uid": _UID_MARK})).split(
        f'"{_UID_MARK}"'.replace("\u0000", "\\u0000")
    )
    return {"$concat": [{"$literal": before}, '"', "$uid", '"', {"$literal": after}]}
