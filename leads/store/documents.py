"""Model <-> MongoDB document conversion. `_id` and `type` never leave the store."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from .connection import Doc

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
