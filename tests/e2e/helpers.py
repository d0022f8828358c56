"""What the browser specs share: finding board parts, dragging with dnd-kit, seeding leads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlparse

from playwright.sync_api import Locator, Page, Response

from leads.domain.enums import UserRole
from leads.domain.models import User, WorkItem
from leads.store import leads as lead_store
from tests.builders import complete_required_tasks, make_lead

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# dnd-kit's PointerSensor starts a drag only after the pointer travelled its activation
# distance, and it follows pointermove events: move in many small steps, never jump.
DRAG_STEPS = 20


class SignedInPage(Protocol):
    """The `signed_in_page` fixture: `signed_in_page("viewer")` or `signed_in_page(user=...)`."""

    def __call__(
        self, role: UserRole | str = ..., *, user: User | None = None, path: str = "/"
    ) -> Page: ...


class JobWorker(Protocol):
    """The `job_worker` fixture: `job_worker()` starts a worker that runs queued jobs."""

    def __call__(self) -> None: ...


class Screenshot(Protocol):
    """The `screenshot` fixture: `screenshot(page)` or `screenshot(page, "after-reload")`."""

    def __call__(self, page: Page, label: str = "") -> Path: ...


# --- board ------------------------------------------------------------------------------------


def column(page: Page, stage_uid: str) -> Locator:
    return page.get_by_test_id(f"column-{stage_uid}")


def card(page: Page, lead_uid: str) -> Locator:
    return page.get_by_test_id(f"card-{lead_uid}")


def listed_ids(scope: Page | Locator, prefix: str) -> list[str]:
    """The ids after `prefix` of the `data-testid="<prefix><id>"` elements, in document order."""
    ids: list[str] = scope.locator(f'[data-testid^="{prefix}"]').evaluate_all(
        "(elements, prefix) => elements.map((e) => e.dataset.testid.slice(prefix.length))", prefix
    )
    return ids


def cards_in(page: Page, stage_uid: str) -> list[str]:
    """The lead uids of a column's cards, top to bottom."""
    return [uid for uid in listed_ids(column(page, stage_uid), "card-") if uid.startswith("LEAD-")]


def column_order(page: Page, stage_uids: Iterable[str]) -> list[str]:
    """The given stages' columns, left to right as the board shows them."""
    wanted = set(stage_uids)
    return [uid for uid in listed_ids(page, "column-") if uid in wanted]


def is_kanban_move(response: Response) -> bool:
    return response.request.method == "POST" and _path(response) == "/api/leads/kanban/move/"


def is_stage_reorder(response: Response) -> bool:
    return response.request.method == "POST" and _path(response) == "/api/stages/reorder/"


def _path(response: Response) -> str:
    return urlparse(response.url).path


# --- drag and drop ----------------------------------------------------------------------------

Where = Literal["center", "top"]


def _point(target: Locator, where: Where) -> tuple[float, float]:
    box = target.bounding_box()
    assert box is not None, f"{target} is not on screen"
    # "top": a quarter down, so the pointer is over the upper half of the target item (a
    # sortable list then places the dragged item before it).
    fraction = 0.25 if where == "top" else 0.5
    return box["x"] + box["width"] / 2, box["y"] + box["height"] * fraction


def pick_up(page: Page, source: Locator) -> None:
    """Press on `source` and move past dnd-kit's activation distance: the drag has started."""
    source.scroll_into_view_if_needed()
    x, y = _point(source, "center")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 6, y + 12, steps=6)


def move_over(page: Page, target: Locator, where: Where = "center") -> None:
    x, y = _point(target, where)
    page.mouse.move(x, y, steps=DRAG_STEPS)
    # A last small move lets dnd-kit settle its collision detection on the final position.
    page.mouse.move(x + 1, y + 1, steps=2)


def drop(page: Page) -> None:
    page.mouse.up()


def drag(page: Page, source: Locator, target: Locator, where: Where = "center") -> None:
    pick_up(page, source)
    move_over(page, target, where)
    drop(page)


# --- forms ---------------------------------------------------------------------------------

_CONTROLS = "input, textarea, select"


def control(element: Locator) -> Locator:
    """The input behind a test id, whether the id is on the input itself or on its wrapper."""
    is_control = element.evaluate("(e, controls) => e.matches(controls)", _CONTROLS)
    return element if is_control else element.locator(_CONTROLS).first


def field_control(scope: Page | Locator, key: str) -> Locator:
    """The input of the form field `data-testid="field-<key>"`."""
    return control(scope.get_by_test_id(f"field-{key}"))


# --- data -------------------------------------------------------------------------------------


def ready_lead(actor: User, **values: object) -> WorkItem:
    """A lead in the initial stage whose required tasks are done: free to move on."""
    return complete_required_tasks(make_lead(actor, **values).uid, actor)


def stored_stage(lead_uid: str) -> str:
    return stored_lead(lead_uid).current_stage


def stored_lead(lead_uid: str) -> WorkItem:
    """The lead as stored now, read past the API."""
    record = lead_store.get_lead(lead_uid)
    assert record is not None, f"no lead {lead_uid}"
    return record.lead


# --- the issue-8 workflow: lost reasons, stale and overdue leads --------------------------------

LOST_REASONS = [
    {"value": "price", "label": "Price"},
    {"value": "competitor", "label": "Went with a competitor"},
]


def set_lost_reasons() -> None:
    """The config's lost reasons, as an admin sets them in Settings."""
    from leads.domain.inputs import ConfigUpdate
    from leads.services import workflow as workflow_services

    workflow_services.config_update(
        changes=ConfigUpdate.model_validate({"lost_reasons": LOST_REASONS}), expected_version=None
    )


def age_lead(
    lead_uid: str, *, idle_days: int | None = None, overdue_days: int | None = None
) -> None:
    """Give a lead a past, written straight into its stored document: no activity for
    `idle_days`, or its open tasks due `overdue_days` ago."""
    from datetime import UTC, datetime, timedelta

    from leads.store.connection import leads

    now = datetime.now(UTC)
    changes: dict[str, object] = {}
    if idle_days is not None:
        changes["last_activity_at"] = now - timedelta(days=idle_days)
    if overdue_days is not None:
        due = now - timedelta(days=overdue_days)
        changes["next_due_at"] = due
        changes["tasks.$[].due_at"] = due
    result = leads().update_one({"uid": lead_uid}, {"$set": changes})
    assert result.matched_count == 1, f"no stored lead {lead_uid}"
