"""`manage.py worker` as its own process, for tests that kill one (SIGKILL) mid-work and start
the next: what production's process boundaries are, not a thread that shares this one's state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A worker on the database `env` names, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
