"""The last active admin stays, also when admins are demoted and deactivated concurrently."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from leads.domain.enums import UserRole
from leads.domain.errors import LastAdmin
from leads.domain.inputs import UserUpdate
from leads.services.users import user_update
from leads.store import users as user_store
from tests.builders import make_user

THREADS = 8
ROUNDS = 5
# Every wait in here is bounded: a thread that has not finished by then fails the test.
THREAD_SECONDS = 60


def _end_admins_at_once(changes: list[UserUpdate]) -> list[str]:
    """Demote/deactivate one admin per change, all at once; what each call came to."""
    admins = [make_user(UserRole.ADMIN) for _ in changes]
    start = threading.Barrier(len(changes), timeout=THREAD_SECONDS)

    def end(index: int) -> str:
        start.wait()
        try:
            user_update(uid=admins[index].uid, changes=changes[index])
        except LastAdmin:
            return "last_admin"
        return "ok"

    with ThreadPoolExecutor(len(changes)) as pool:
        futures = [pool.submit(end, index) for index in range(len(changes))]
        return [future.result(timeout=THREAD_SECONDS) for future in futures]


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_eight_admins_ended_at_once_leave_exactly_one_active_admin(round_number: int) -> None:
    changes = [
        UserUpdate(role=UserRole.MEMBER) if index % 2 else UserUpdate(is_active=False)
        for index in range(THREADS)
    ]

    outcomes = _end_admins_at_once(changes)

    assert user_store.count_active_admins() == 1
    assert sorted(outcomes) == ["last_admin"] + ["ok"] * (THREADS - 1)


def test_two_last_admins_demoting_each_other_at_once_leave_one() -> None:
    outcomes = _end_admins_at_once([UserUpdate(role=UserRole.VIEWER)] * 2)

    assert user_store.count_active_admins() == 1
    assert sorted(outcomes) == ["last_admin", "ok"]


def test_a_refused_demotion_changes_nothing() -> None:
    admin = make_user(UserRole.ADMIN)

    with pytest.raises(LastAdmin):
        user_update(uid=admin.uid, changes=UserUpdate(role=UserRole.MEMBER, display_name="X"))

    stored = user_store.get_user(admin.uid)
    assert stored is not None
    assert (stored.role, stored.display_name) == (UserRole.ADMIN, admin.display_name)


def test_without_any_admin_a_member_can_still_be_deactivated() -> None:
    member = make_user(UserRole.MEMBER)

    updated = user_update(uid=member.uid, changes=UserUpdate(is_active=False))

    assert updated.is_active is False
