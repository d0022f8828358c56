"""The server decides where a lead may move; the API, the lead page and the board all say the same.

On the sample pipeline, a lead in every stage with its required tasks open and done is looked at
by a member (and, for the won and lost leads, by an admin too). For each, the `moves` of the API,
the lead page's stage buttons and the board's columns while the card is dragged must agree on
every target: open, open once the missing fields are given, or refused.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

from leads.domain import transitions as transition_rules
from leads.domain.enums import StageKind, UserRole
from leads.domain.models import User, WorkItem
from leads.management import sample_workflow as sample
from leads.services.transitions import lead_transition
from tests.builders import client_for, complete_required_tasks, make_lead, make_user

from .helpers import SCREENSHOTS, SignedInPage, card, pick_up

# The values the sample stages ask for on the way in (their `required_fields`).
ENTRY_DATA: dict[str, Any] = {
    "industry": "saas",
    "expected_close_date": "2026-12-01",
    "decision_maker": "Dana Reyes, CFO",
}
# What a form asks with the move itself (fields, a lost reason): the server's own list.
ANSWERABLE = {code.value for code in transition_rules.ANSWERABLE}
# Stage uids on the way from New to each stage of the sample pipeline.
HAPPY_PATH = [s.uid for s in sample.STAGES if s.uid and s.kind is not StageKind.LOST]
LOST = next(s.uid for s in sample.STAGES if s.uid and s.kind is StageKind.LOST)
CLOSED = {s.uid for s in sample.STAGES if s.kind is not StageKind.OPEN}
# The lead whose drag the board screenshot shows: every kind of column is on screen then.
SHOWN_DRAGGING = ("stage-qualified", True)


@dataclass(frozen=True)
class Case:
    lead: WorkItem
    stage: str
    tasks_done: bool

    @property
    def label(self) -> str:
        return f"{self.stage} (required tasks {'done' if self.tasks_done else 'open'})"


def _path_to(stage: str) -> list[str]:
    if stage == LOST:
        return [LOST]
    return HAPPY_PATH[1 : HAPPY_PATH.index(stage) + 1]


def _lead_in(stage: str, *, tasks_done: bool, actor: User) -> WorkItem:
    """A lead walked from New into `stage` (doing what each stage demands on the way), its
    budget set and nothing else it was not asked for."""
    name = f"{stage} {'done' if tasks_done else 'open'}"
    lead = make_lead(actor, name=name, data={"budget": 5000})
    for target in _path_to(stage):
        lead = complete_required_tasks(lead.uid, actor)
        required = next(s.required_fields for s in sample.STAGES if s.uid == target)
        lead = lead_transition(
            uid=lead.uid,
            to_stage=target,
            actor=actor,
            expected_version=lead.version,
            data={key: ENTRY_DATA[key] for key in required} or None,
            lost_reason="price" if target == LOST else None,
        ).lead
    return complete_required_tasks(lead.uid, actor) if tasks_done else lead


def _cases(actor: User) -> list[Case]:
    cases = []
    for data in sample.STAGES:
        assert data.uid is not None
        has_required_tasks = any(template.required for template in data.task_templates)
        for tasks_done in (False, True) if has_required_tasks else (True,):
            lead = _lead_in(data.uid, tasks_done=tasks_done, actor=actor)
            assert lead.current_stage == data.uid
            cases.append(Case(lead=lead, stage=data.uid, tasks_done=tasks_done))
    return cases


def _state(move: dict[str, Any]) -> str:
    """What a screen should do with a move of the API: offer it, ask for what the move can answer
    (fields, a lost reason), or refuse it."""
    if move["allowed"]:
        return "open"
    codes = {reason["code"] for reason in move["reasons"]}
    return "fields" if codes <= ANSWERABLE else "refused"


def _api_moves(user: User, cases: list[Case]) -> dict[str, dict[str, str]]:
    """Per lead, each target's state from the lead's `moves`, checked against its card's."""
    api = client_for(user)
    board = api.get("/api/leads/kanban/", {"per_column": "50"}).json()
    card_moves = {card["uid"]: card["moves"] for col in board["columns"] for card in col["leads"]}
    states = {}
    for case in cases:
        detail = api.get(f"/api/leads/{case.lead.uid}/").json()
        # A card's reasons name the blocking tasks in their message; only the lead lists uids.
        for move in detail["moves"]:
            for reason in move["reasons"]:
                reason["tasks"] = None
        assert detail["moves"] == card_moves[case.lead.uid], case.label
        states[case.lead.uid] = {move["to_stage"]: _state(move) for move in detail["moves"]}
    return states


def _detail_buttons(page: Page, lead_uid: str) -> dict[str, str]:
    page.goto(f"/leads/{lead_uid}")
    expect(page.get_by_test_id("move-bar")).to_be_visible()
    buttons: list[dict[str, Any]] = page.locator('[data-testid^="transition-"]').evaluate_all(
        """buttons => buttons.map(b => ({
            stage: b.dataset.testid.slice("transition-".length),
            state: b.dataset.moveState,
            disabled: b.disabled,
        }))"""
    )
    for button in buttons:
        # A refused move's button is disabled; open ones and those asking for fields are not.
        assert button["disabled"] == (button["state"] == "refused"), (lead_uid, button)
    return {button["stage"]: button["state"] for button in buttons}


def _board_columns_while_dragging(
    page: Page, lead_uid: str, screenshot_as: str = ""
) -> dict[str, str]:
    pick_up(page, card(page, lead_uid))
    expect(page.get_by_test_id("drag-overlay")).to_be_visible()
    columns: list[dict[str, str]] = page.locator('section[data-testid^="column-"]').evaluate_all(
        """sections => sections.map(s => ({
            stage: s.dataset.testid.slice("column-".length),
            drop: s.dataset.drop,
            dimmed: s.dataset.dimmed,
        }))"""
    )
    if screenshot_as:
        page.screenshot(path=SCREENSHOTS / screenshot_as)
    page.keyboard.press("Escape")
    page.mouse.up()
    expect(page.get_by_test_id("drag-overlay")).to_have_count(0)
    for shown in columns:
        assert (shown["dimmed"] == "true") == (shown["drop"] == "refused"), (lead_uid, shown)
    return {shown["stage"]: shown["drop"] for shown in columns}


def _check(page: Page, user: User, cases: list[Case], board_shot: str = "") -> list[str]:
    """Every disagreement between the API, the lead page and the board, in words."""
    problems = []
    expected = _api_moves(user, cases)
    page.goto("/")
    # Closed stages start collapsed (their cards hidden): open them to pick their cards up.
    for stage in sorted(uid for uid in CLOSED if uid):
        if page.get_by_test_id(f"column-{stage}").get_attribute("data-collapsed") == "true":
            page.get_by_test_id(f"column-toggle-{stage}").click()
    for case in cases:
        want = expected[case.lead.uid]
        shot = board_shot if (case.stage, case.tasks_done) == SHOWN_DRAGGING else ""
        board = _board_columns_while_dragging(page, case.lead.uid, shot)
        if board != {case.stage: "source", **want}:
            problems.append(f"{user.role} {case.label}: board {board} but API {want}")
    for case in cases:
        want = expected[case.lead.uid]
        buttons = _detail_buttons(page, case.lead.uid)
        if buttons != want:
            problems.append(f"{user.role} {case.label}: lead page {buttons} but API {want}")
    return problems


def test_the_api_the_lead_page_and_the_board_agree_on_every_move(
    signed_in_page: SignedInPage,
) -> None:
    call_command("init_lead_data", stdout=io.StringIO())
    admin = make_user(UserRole.ADMIN)
    member = make_user(UserRole.MEMBER)
    cases = _cases(admin)
    closed = [case for case in cases if case.stage in CLOSED]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = signed_in_page(user=member)
    expect(card(page, cases[0].lead.uid)).to_be_visible()
    problems = _check(page, member, cases, board_shot="moves-agree-board-dragging.png")
    won = next(case for case in closed if case.tasks_done)
    page.goto(f"/leads/{won.lead.uid}")
    expect(page.get_by_test_id("move-note")).to_contain_text("Only an admin can reopen")
    page.screenshot(path=SCREENSHOTS / "moves-agree-closed-lead-member.png")

    page.context.clear_cookies()
    page = signed_in_page(user=admin)
    problems += _check(page, admin, closed)
    page.goto(f"/leads/{won.lead.uid}")
    expect(page.get_by_test_id(f"transition-{HAPPY_PATH[0]}")).to_be_enabled()
    page.screenshot(path=SCREENSHOTS / "moves-agree-closed-lead-admin.png")

    assert not problems, "\n".join(problems)
    # Every kind of answer was seen, so the comparison above compared something.
    seen = {state for states in _api_moves(member, cases).values() for state in states.values()}
    assert seen == {"open", "fields", "refused"}
