"""Saving, changing and deleting saved views: personal ones by their owner, shared ones by
admins."""

from __future__ import annotations

from leads.domain.errors import Forbidden, ValidationFailed, VersionConflict
from leads.domain.inputs import ViewCreate, ViewUpdate, sent
from leads.domain.models import SavedView, User, utcnow
from leads.selectors.views import view_get
from leads.store import views as view_store


def _check_shape(*, target: str, sort: str | None) -> None:
    if target == "board" and sort is not None:
        raise ValidationFailed.on("sort", "the board has no sort order; leave it out")


def view_create(*, data: ViewCreate, actor: User) -> SavedView:
    """Raises Forbidden (sharing is for admins), ValidationFailed."""
    if data.shared and not actor.is_admin:
        raise Forbidden("Only admins can share a view; save it for yourself instead.")
    _check_shape(target=data.target, sort=data.sort)
    view = SavedView(
        name=data.name,
        target=data.target,
        filters=data.filters,
        sort=data.sort,
        shared=data.shared,
        owner=actor.uid,
    )
    view_store.insert_view(view)
    return view


def _editable(uid: str, actor: User) -> SavedView:
    view = view_get(uid=uid, actor=actor)
    if view.shared and not actor.is_admin:
        raise Forbidden("Only admins can change or delete a shared view.")
    return view


def view_update(
    *, uid: str, changes: ViewUpdate, actor: User, expected_version: int | None
) -> SavedView:
    """Raises ViewNotFound, Forbidden, VersionConflict, ValidationFailed."""
    view = _editable(uid, actor)
    fields = sent(changes, exclude=frozenset({"version"}))
    if fields.get("shared") and not actor.is_admin:
        raise Forbidden("Only admins can share a view.")
    if expected_version is not None and expected_version != view.version:
        raise VersionConflict(details={"current_version": view.version})
    _check_shape(target=view.target, sort=fields.get("sort", view.sort))
    if not fields:
        return view
    updated = view_store.update_view(
        uid, expected_version=view.version, changes={**fields, "updated_at": utcnow()}
    )
    if updated is None:
        raise VersionConflict("The view changed meanwhile; reload it and try again.")
    return updated


def view_delete(*, uid: str, actor: User, expected_version: int | None) -> None:
    """Raises ViewNotFound, Forbidden, VersionConflict."""
    view = _editable(uid, actor)
    if expected_version is not None and expected_version != view.version:
        raise VersionConflict(details={"current_version": view.version})
    if not view_store.delete_view(uid, expected_version=view.version):
        raise VersionConflict("The view changed meanwhile; reload it and try again.")
