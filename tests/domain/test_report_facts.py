"""What a lead's fact holds for the reports, worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leads.domain.report_facts import report_activity, report_funnel, report_visits

FUNNEL = ["new", "qualified", "proposal", "won"]


def day(n: int, hour: int = 12) -> datetime:
    return datetime(2026, 6, n, hour, tzinfo=UTC)


def visit(stage: str, entered: datetime, exited: datetime | None) -> dict[str, object]:
    return {"stage": stage, "name": stage.title(), "entered_at": entered, "exited_at": exited}


def test_a_skip_moves_on_a_move_back_does_not_and_lost_or_deleted_stages_are_no_steps() -> None:
    visits = report_visits(
        [
            visit("new", day(1), day(3)),
            visit("proposal", day(3), day(5)),  # skips qualified
            visit("qualified", day(5), day(6)),  # back
            visit("gone", day(6), day(7)),  # a deleted stage
            visit("lost", day(7), None),
        ],
        FUNNEL,
    )

    assert [(v["step"], v["moved"]) for v in visits] == [
        (0, True),
        (2, False),
        (1, False),
        (-1, False),
        (-1, False),
    ]
    assert [v["days"] for v in visits] == [2.0, 2.0, 1.0, 1.0, None]


def test_a_visit_lasts_its_milliseconds_in_days() -> None:
    (done,) = report_visits(
        [visit("new", day(1), day(1) + timedelta(hours=36, milliseconds=5))], FUNNEL
    )
    assert done["days"] == 129_600_005 / 86_400_000


def test_the_funnel_counts_each_step_once_and_moved_if_any_visit_there_moved_on() -> None:
    visits = report_visits(
        [
            visit("new", day(1), day(2)),
            visit("qualified", day(2), day(3)),
            visit("new", day(3), day(4)),  # back: not moving on from Qualified, but ...
            visit("won", day(4), None),  # ... winning later is, for every earlier step
        ],
        FUNNEL,
    )
    assert [v["moved"] for v in visits] == [True, True, True, False]
    assert report_funnel(visits) == [
        {"stage": "new", "moved": True},
        {"stage": "qualified", "moved": True},
        {"stage": "won", "moved": False},
    ]


def test_activity_counts_what_sellers_log_and_tasks_completed_per_day_actor_and_type() -> None:
    def activity(
        kind: str, at: datetime, actor: str = "usr-a", event: str | None = None
    ) -> dict[str, object]:
        return {"type": kind, "created_at": at, "actor": actor, "details": {"event": event}}

    lead = {
        "activities": [
            activity("call", day(15, 9)),
            activity("call", day(15, 17)),
            activity("call", day(15, 18), actor="usr-b"),
            activity("note", day(16)),
            activity("task", day(16), event="completed"),
            activity("task", day(16), event="skipped"),
            activity("stage_change", day(16)),
            activity("system", day(16)),
        ]
    }
    monday = datetime(2026, 6, 15, tzinfo=UTC)
    tuesday = monday + timedelta(days=1)
    assert report_activity(lead) == [
        {"day": monday, "week": monday, "actor": "usr-a", "type": "call", "count": 2},
        {"day": monday, "week": monday, "actor": "usr-b", "type": "call", "count": 1},
        {"day": tuesday, "week": monday, "actor": "usr-a", "type": "note", "count": 1},
        {"day": tuesday, "week": monday, "actor": "usr-a", "type": "task", "count": 1},
    ]
