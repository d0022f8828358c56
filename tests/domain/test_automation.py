"""Automation rules, pure: the sentence a rule reads as, and which events it answers."""

from __future__ import annotations

from typing import Any

from leads.domain.automation import Names, Rule, answers, sentence
from leads.domain.changes import LeadChange, change_stamp
from leads.domain.enums import TaskStatus
from leads.domain.events import CompletedTask, Event, EventActor, EventKind
from leads.domain.models import TaskInstance, User, WorkItem, utcnow


def _rule(trigger: dict[str, Any], *actions: dict[str, Any], uid: str = "rule-a") -> Rule:
    return Rule.model_validate(
        {"uid": uid, "name": "R", "trigger": trigger, "actions": list(actions)}
    )


def _event(kind: EventKind, **values: Any) -> Event:
    return Event(kind=kind, uid="LEAD-202611-00001", at=utcnow(), seq=1, **values)


def test_a_rule_naming_what_was_deleted_since_says_so_in_its_sentence() -> None:
    rule = _rule(
        {"kind": "stage_entered", "stage": "stage-gone"},
        {"kind": "assign", "users": ["usr-sam", "usr-gone"]},
        {"kind": "set_field", "field": "budget", "value": True},
        {"kind": "send_webhook", "webhook": "whk-gone"},
        {"kind": "add_task", "title": "Call", "due_in_days": 0, "required": True},
    )
    names = Names(users={"usr-sam": "Sam"}, fields={})
    assert sentence(rule, names) == (
        "When a lead enters (deleted stage), assign Sam or (deleted user) in turn,"
        " set (deleted field) to yes, send it to the webhook (deleted webhook) and add the"
        " required task \u201cCall\u201d due the same day."
    )


def test_a_task_rule_matches_the_title_in_any_case_and_the_stage() -> None:
    rule = _rule(
        {"kind": "task_completed", "stage": "stage-new", "title": "Call the lead"},
        {"kind": "add_tag", "tag": "t"},
    )
    done = CompletedTask(uid="task-1", title="CALL THE LEAD ", stage="stage-new")
    assert answers(rule, _event(EventKind.LEAD_UPDATED, completed_tasks=[done]))
    elsewhere = done.model_copy(update={"stage": "stage-other"})
    assert not answers(rule, _event(EventKind.LEAD_UPDATED, completed_tasks=[elsewhere]))
    assert not answers(rule, _event(EventKind.LEAD_UPDATED, fields=["tasks"]))


def test_a_rule_does_not_answer_its_own_change_nor_while_switched_off() -> None:
    rule = _rule({"kind": "lead_created"}, {"kind": "add_tag", "tag": "t"})
    assert answers(rule, _event(EventKind.LEAD_CREATED))
    own = EventActor(uid="rule:rule-a", name="R", round=1)
    assert not answers(rule, _event(EventKind.LEAD_CREATED, by=own))
    other = EventActor(uid="rule:rule-b", name="B", round=1)
    assert answers(rule, _event(EventKind.LEAD_CREATED, by=other))
    off = rule.model_copy(update={"active": False})
    assert not answers(off, _event(EventKind.LEAD_CREATED))


def test_a_write_names_the_tasks_it_completes_but_not_completed_tasks_it_brings_in() -> None:
    now = utcnow()
    call = TaskInstance(title="Call", stage="stage-new")
    lead = WorkItem(
        uid="LEAD-202611-00001",
        name="Acme",
        current_stage="stage-new",
        rank="a",
        stage_entered_at=now,
        tasks=[call],
        created_at=now,
        updated_at=now,
    )
    merged = TaskInstance(title="Old", stage="stage-new", status=TaskStatus.COMPLETED)
    done = call.model_copy(update={"status": TaskStatus.COMPLETED})
    change = LeadChange(at=now, set_fields={"tasks": [done, merged]})
    stamp = change_stamp(lead, change, User(uid="usr-1", username="sam"))
    assert stamp.completed_tasks == [CompletedTask(uid=call.uid, title="Call", stage="stage-new")]
