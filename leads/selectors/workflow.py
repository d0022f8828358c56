"""Use cases that read the pipeline set-up."""

from __future__ import annotations

from leads.domain.errors import ConfigNotFound, StageNotFound
from leads.domain.models import WorkItemConfig, WorkStage
from leads.store import workflow as workflow_store


def config_get() -> WorkItemConfig:
    """The workflow config. Raises ConfigNotFound."""
    config = workflow_store.get_config()
    if config is None:
        raise ConfigNotFound()
    return config


def stage_list() -> list[WorkStage]:
    return workflow_store.list_stages()


def stage_get(*, uid: str) -> WorkStage:
    """One stage. Raises StageNotFound."""
    stage = workflow_store.get_stage(uid)
    if stage is None:
        raise StageNotFound(f"No stage {uid}.")
    return stage
