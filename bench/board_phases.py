"""Where one Kanban board request spends its time, phase by phase, with no profiler in the way.

    .venv/bin/python bench/board_phases.py [--leads 20000] [--per-column 200] [--repeat 12]

On bench_api's data, times the phases of the board view one by one (the store's aggregation,
deciding the moves, mapping to output models, model_dump, JSON rendering) and how long Python's
garbage collector ran inside them, first as served and then after gc.freeze(). cProfile books
the collector's time to whichever call allocated when it ran; this does not. Current tree only:
it calls the selector and mappers of the board with `moves`.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from typing import Any

from bench_api import PASSWORD, floor_board, seed, workflow  # also sets Django up
from django.core.management import call_command
from rest_framework.renderers import JSONRenderer

from leads.api.mappers import column_out
from leads.api.schemas import KanbanOut
from leads.domain.enums import UserRole
from leads.domain.inputs import UserCreate
from leads.domain.models import User
from leads.domain.queries import LeadFilter
from leads.selectors.kanban import kanban_board
from leads.services.users import user_create
from leads.store import connection
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store
from leads.store.indexes import ensure_indexes
from leads.store.mongod import LocalMongod

PHASES = (
    "store: the aggregation and BoardCard validation",
    "deciding the moves (selector minus store)",
    "mapping to MoveOut, CardOut, KanbanOut",
    "model_dump",
    "JSON rendering",
    "garbage collector inside the phases above",
    "floor: the raw driver (bench_api.floor_board)",
)


class CollectorClock:
    """Milliseconds the cyclic garbage collector ran since the last reset, and how often."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.ms += (time.perf_counter() - self._started) * 1000
            self.collections[info["generation"]] += 1

    def reset(self) -> None:
        self.ms = 0.0
        self.collections = [0, 0, 0]


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _phases(actor: User, per_column: int, clock: CollectorClock) -> tuple[list[float], str]:
    config, stages = workflow_store.get_config_and_stages()
    value_field = config.value_field if config is not None else None
    clock.reset()
    started = time.perf_counter()
    lead_store.kanban(
        lead_filter=LeadFilter(),
        stage_uids=[stage.uid for stage in stages],
        per_column=per_column + 1,
        value_field=value_field,
        data_keys=sorted({key for stage in stages for key in stage.required_fields}),
    )
    store = _ms_since(started)
    started = time.perf_counter()
    board = kanban_board(lead_filter=LeadFilter(), per_column=per_column, actor=actor)
    selector = _ms_since(started)
    started = time.perf_counter()
    out = KanbanOut(
        columns=[column_out(column) for column in board.columns], value_field=board.value_field
    )
    mapping = _ms_since(started)
    started = time.perf_counter()
    data = out.model_dump(mode="json")
    dump = _ms_since(started)
    started = time.perf_counter()
    body = JSONRenderer().render(data)
    render = _ms_since(started)
    collector = clock.ms
    collections = list(clock.collections)
    started = time.perf_counter()
    floor_board(per_column)
    floor = _ms_since(started)
    cards = [card for column in board.columns for card in column.cards]
    decided = len({id(card.moves) for card in cards})
    summary = (
        f"{len(cards)} cards, moves decided {decided} times, {len(body) / 1024:.0f} KB, "
        f"collections per request (young, middle, full): {collections}"
    )
    return [store, selector - store, mapping, dump, render, collector, floor], summary


def _report(title: str, actor: User, per_column: int, repeat: int, clock: CollectorClock) -> None:
    runs = [_phases(actor, per_column, clock) for _ in range(repeat)]
    print(f"\n{title}: {runs[-1][1]}")
    for index, name in enumerate(PHASES):
        print(f"  {name}: {statistics.median(run[0][index] for run in runs):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--per-column", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        seed(args.leads, workflow()[1])
        actor = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        )
        clock = CollectorClock()
        _phases(actor, args.per_column, clock)  # warm caches
        print(f"{args.leads} leads, {args.per_column} per column, medians of {args.repeat}")
        _report("as served", actor, args.per_column, args.repeat, clock)
        gc.collect()
        gc.freeze()
        _report("after gc.freeze()", actor, args.per_column, args.repeat, clock)
        connection.close()


if __name__ == "__main__":
    main()
