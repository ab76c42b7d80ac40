"""Failpoints for fault-injection tests of re-indexing.

With ``WHOKNOWS_FAILPOINT=<name>`` in its environment, a process kills itself
(SIGKILL, as ``kill -9`` would) the first time it reaches that point. Points:
``read`` (a source is being parsed), ``embed`` (a batch of vectors was cached),
``write`` (a source was written to the new generation), ``vectors`` (the new
vector index is on disk, not yet verified) and ``switch`` (the new generation
is complete, ``CURRENT`` not yet replaced). Unset, a failpoint does nothing.
"""

from __future__ import annotations

import os
import signal

FAILPOINT_ENV = "WHOKNOWS_FAILPOINT"
POINTS = ("read", "embed", "write", "vectors", "switch")


def failpoint(name: str) -> None:
    """Die here, like ``kill -9``, when ``$WHOKNOWS_FAILPOINT`` names this point."""
    if os.environ.get(FAILPOINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
