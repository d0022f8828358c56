"""Saved views: per-user settings in their own collection, like users (not workflow data)."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from leads.domain.models import SavedView

from .connection import Doc, views
from .documents import from_document, from_documents, to_document

_PUBLIC: Doc = {"_id": 0}


def insert_view(view: SavedView) -> None:
    views().insert_one(to_document(view))


def get_view(uid: str) -> SavedView | None:
    # index: uid_unique
    return from_document(SavedView, views().find_one({"uid": uid}, _PUBLIC))


def list_views(owner: str) -> list[SavedView]:
    """The views `owner` may see: their own and the shared ones, by name."""
    # index: owner_name and shared_name (one per arm of the $or)
    cursor = views().find({"$or": [{"owner": owner}, {"shared": True}]}, _PUBLIC).sort("name", 1)
    return from_documents(SavedView, cursor)


def update_view(uid: str, *, expected_version: int, changes: dict[str, Any]) -> SavedView | None:
    """Set `changes` if the view is still at `expected_version`; None when it is not (or gone)."""
    # index: uid_unique
    document = views().find_one_and_update(
        {"uid": uid, "version": expected_version},
        {"$set": changes, "$inc": {"version": 1}},
        projection=_PUBLIC,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(SavedView, document)


def delete_view(uid: str, *, expected_version: int) -> bool:
    # index: uid_unique
    return views().delete_one({"uid": uid, "version": expected_version}).deleted_count == 1
