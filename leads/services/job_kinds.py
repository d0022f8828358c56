"""The job kinds workers run, by name: the one place a new kind (webhook deliveries, ...) is
added."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .imports import IMPORT, import_job

if TYPE_CHECKING:
    from .jobs import Handler

HANDLERS: Mapping[str, Handler] = {IMPORT: import_job}
