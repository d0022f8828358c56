"""User accounts and their API tokens (kept hashed, inside the user document)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from leads.domain.enums import UserRole
from leads.domain.errors import DuplicateKey, LastAdmin
from leads.domain.models import User

from .connection import Doc, Session, guards, in_transaction, users
from .documents import from_document, from_documents, to_document

# Password hashes and token digests stay in the database; users leave the store without them.
_PUBLIC: Doc = {"_id": 0, "tokens": 0, "password_hash": 0}


def insert_user(user: User, *, password_hash: str) -> None:
    try:
        users().insert_one({**to_document(user), "password_hash": password_hash, "tokens": []})
    except DuplicateKeyError as exc:
        raise DuplicateKey(f"username '{user.username}' is taken") from exc


def get_user(uid: str, session: Session | None = None) -> User | None:
    # index: uid_unique
    return from_document(User, users().find_one({"uid": uid}, _PUBLIC, session=session))


def get_user_by_username(username: str) -> User | None:
    # index: username_unique
    return from_document(User, users().find_one({"username": username}, _PUBLIC))


def list_users(*, active_only: bool) -> list[User]:
    query: Doc = {"is_active": True} if active_only else {}
    # index: username_unique (walked in order; a team is small)
    return from_documents(User, users().find(query, _PUBLIC).sort("username", 1))


def get_users(uids: list[str]) -> list[User]:
    # index: uid_unique
    return from_documents(User, users().find({"uid": {"$in": uids}}, _PUBLIC))


def count_active_admins(session: Session | None = None) -> int:
    # index: none; users are a team, not a data set
    return users().count_documents(
        {"role": UserRole.ADMIN.value, "is_active": True}, session=session
    )


def update_user(uid: str, changes: dict[str, Any], session: Session | None = None) -> User | None:
    """Set `changes` (model fields, or `password_hash`) on the user."""
    # index: uid_unique
    document = users().find_one_and_update(
        {"uid": uid},
        {"$set": changes},
        projection=_PUBLIC,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    return from_document(User, document)


_ADMINS_GUARD = "active_admins"


def update_user_keeping_an_admin(uid: str, changes: dict[str, Any]) -> User | None:
    """`update_user`, in a transaction that raises LastAdmin (changing nothing) when the user
    was an active admin and none would be left.

    Counting admins and writing a user are two documents, and snapshot isolation alone would
    let two transactions each demote a different one of the last two admins (each sees the
    other still an admin). So every such transaction also writes one guard document: of two
    running at once, one meets a write conflict and is retried, and then sees the other's
    change.
    """
    # index: _id; made outside the transactions, so they never race to create it
    with contextlib.suppress(DuplicateKeyError):
        guards().update_one({"_id": _ADMINS_GUARD}, {"$setOnInsert": {"writes": 0}}, upsert=True)

    def work(session: Session) -> User | None:
        # index: _id
        guards().update_one({"_id": _ADMINS_GUARD}, {"$inc": {"writes": 1}}, session=session)
        before = get_user(uid, session=session)
        updated = update_user(uid, changes, session=session)
        was_admin = before is not None and before.is_admin and before.is_active
        if was_admin and count_active_admins(session) == 0:
            raise LastAdmin()
        return updated

    return in_transaction(work)


def add_token(uid: str, *, digest: str, expires_at: datetime, now: datetime) -> None:
    """Keep a new token and drop the user's expired ones in the same write."""
    token = {"digest": digest, "expires_at": expires_at, "created_at": now}
    unexpired = {
        "$filter": {
            "input": {"$ifNull": ["$tokens", []]},
            "cond": {"$gt": ["$$this.expires_at", now]},
        }
    }
    # index: uid_unique
    users().update_one(
        {"uid": uid}, [{"$set": {"tokens": {"$concatArrays": [unexpired, [{"$literal": token}]]}}}]
    )


def user_for_token(digest: str, now: datetime) -> User | None:
    """The active user holding this unexpired token."""
    # index: token_digest
    document = users().find_one(
        {
            "tokens": {"$elemMatch": {"digest": digest, "expires_at": {"$gt": now}}},
            "is_active": True,
        },
        _PUBLIC,
    )
    return from_document(User, document)


def remove_token(digest: str) -> None:
    # index: token_digest
    users().update_one({"tokens.digest": digest}, {"$pull": {"tokens": {"digest": digest}}})


def get_password_hash(uid: str) -> str | None:
    # index: uid_unique
    document = users().find_one({"uid": uid}, {"_id": 0, "password_hash": 1})
    return None if document is None else document.get("password_hash")
