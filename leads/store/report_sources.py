"""The indexes the reports' queries on the lead facts and the report rollups (store/facts.py)
use."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

# Every one starts with `status`: the report's lookup keys the facts' side by it, so a report
# that must read the leads instead finds no key here (store/reports.py `_report`).
REPORT_FACT_INDEXES = [
    # leads closed in a period (win rate, lost reasons, the forecast's won), open leads (the
    # forecast, stage times' waits now), and every fact (a report over the whole history)
    IndexModel([("status", ASCENDING), ("closed_at", ASCENDING)], name="facts_status_closed"),
    # the funnel: visits entered in a period
    IndexModel(
        [("status", ASCENDING), ("visits.entered_at", ASCENDING)],
        name="facts_status_visit_entered",
    ),
    # stage times: visits ended in a period
    IndexModel(
        [("status", ASCENDING), ("visits.exited_at", ASCENDING)],
        name="facts_status_visit_exited",
    ),
    # activity: days with a counted activity in a period
    IndexModel(
        [("status", ASCENDING), ("activity.day", ASCENDING)], name="facts_status_activity_day"
    ),
    # a report of one seller's, one source's or one tag's leads (the rollups count only all
    # leads): that fraction of the facts, whatever the period
    IndexModel([("status", ASCENDING), ("assigned_to", ASCENDING)], name="facts_status_assignee"),
    IndexModel([("status", ASCENDING), ("source", ASCENDING)], name="facts_status_source"),
    IndexModel([("status", ASCENDING), ("tags", ASCENDING)], name="facts_status_tag"),
]

# The rollups (domain/report_rollups.py): a report's lookup keys them by kind, its $match takes
# the period's days.
REPORT_ROLLUP_INDEXES = [
    IndexModel([("k", ASCENDING), ("day", ASCENDING)], name="rollups_kind_day")
]
