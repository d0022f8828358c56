"""Where the reports find the summaries the change-stream reader keeps (lead_facts), and the
indexes the reports' queries on them use."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

LEAD_FACTS = "lead_facts"
SUMMARIES_STATE = "summaries"
SUMMARIES_STATE_ID = "summaries"
FACTS_DEFINITION = 1

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
]
