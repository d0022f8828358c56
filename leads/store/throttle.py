"""Failed sign-ins, counted per key (a username, a client address) in a window, in MongoDB so
every worker and app server sees the same counts. A TTL index drops a window once it is over."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from .connection import login_failures


def failures(keys: list[str], now: datetime) -> dict[str, tuple[int, datetime]]:
    """(failures, the end of the window) of each key whose window is still open."""
    # index: key_unique
    cursor = login_failures().find({"key": {"$in": keys}, "expires_at": {"$gt": now}}, {"_id": 0})
    return {row["key"]: (int(row["count"]), row["expires_at"]) for row in cursor}


def record_failure(key: str, now: datetime, window: timedelta) -> None:
    """Count one failure of `key`: in its open window, or in a new one starting now."""
    still_open = {"$gt": ["$expires_at", now]}
    update = [
        {
            "$set": {
                "count": {"$cond": [still_open, {"$add": ["$count", 1]}, 1]},
                "expires_at": {"$cond": [still_open, "$expires_at", now + window]},
            }
        }
    ]
    for attempt in range(2):
        try:
            # index: key_unique (two first failures racing: one upserts, the other retries)
            login_failures().update_one({"key": key}, update, upsert=True)
            return
        except DuplicateKeyError:
            if attempt == 1:
                raise


def clear(key: str) -> None:
    # index: key_unique
    login_failures().delete_one({"key": key})
