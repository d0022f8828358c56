"""A role one worker at a time plays (the change-stream reader, the webhook dispatcher): one
document per role says who holds it until when (a lease, taken over once it runs out) and how
far it got, saved only by its holder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from .connection import Doc, Session, database, kill_session


class LeasedRole:
    def __init__(self, collection: str, role: str) -> None:
        self.collection = collection
        self.role = role

    def _states(self) -> Collection[Doc]:
        return database()[self.collection]

    def claim(
        self, *, owner: str, now: datetime, lease_until: datetime, session: Session | None = None
    ) -> bool:
        """Take or renew the lease; False while another worker holds it. A holder that runs
        transactions names its `session`: whoever takes the lease over from it after it died
        ends that session, so a transaction it left open stops holding its documents."""
        found: Doc = {"owner": owner, "lease_until": lease_until}
        if session is not None:
            found["session"] = session.session_id["id"]
        try:
            # index: _id
            before = self._states().find_one_and_update(
                {
                    "_id": self.role,
                    "$or": [{"owner": owner}, {"owner": None}, {"lease_until": {"$lt": now}}],
                },
                {"$set": found},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists and is someone else's
        if before and before.get("owner") not in (owner, None) and before.get("session"):
            kill_session(before["session"])
        return True

    def release(self, *, owner: str) -> None:
        # index: _id
        self._states().update_one(
            {"_id": self.role, "owner": owner}, {"$set": {"owner": None, "lease_until": None}}
        )

    def progress(self, name: str) -> Any:
        """How far the role got, as saved under `name`; None before the first save."""
        # index: _id
        state = self._states().find_one({"_id": self.role}, {name: 1})
        return state.get(name) if state else None

    def save(self, *, owner: str, name: str, value: Any, lease_until: datetime) -> bool:
        """Save how far the holder got (renewing its lease); False when the lease is lost."""
        # index: _id
        result = self._states().update_one(
            {"_id": self.role, "owner": owner},
            {"$set": {name: value, "lease_until": lease_until}},
        )
        return result.matched_count == 1

    def forget(self, name: str) -> None:
        # index: _id
        self._states().update_one({"_id": self.role}, {"$unset": {name: ""}})
