"""Reading saved views: a user sees their own and the shared ones, never another's own."""

from __future__ import annotations

from leads.domain.errors import ViewNotFound
from leads.domain.models import SavedView, User
from leads.store import views as view_store


def view_list(*, actor: User, target: str | None = None) -> list[SavedView]:
    """The views `actor` may use (of `target` when given), by name, in one round trip."""
    found = view_store.list_views(actor.uid)
    return [view for view in found if target is None or view.target == target]


def view_get(*, uid: str, actor: User) -> SavedView:
    """Raises ViewNotFound, also for another user's personal view (its existence is theirs)."""
    view = view_store.get_view(uid)
    if view is None or not (view.shared or view.owner == actor.uid):
        raise ViewNotFound(f"No view {uid}.")
    return view
