#!/usr/bin/env python3
"""Re-index for cron or a systemd timer: the same as `whoknows index`, same options and exit codes.

Example crontab line (every night at 02:30)::

    30 2 * * * cd /srv/whoknows && .venv/bin/python scripts/reindex.py --config whoknows.toml \
        --max-errors 1000 --json >> reindex.log 2>&1

Options: --config, --dry-run, --max-errors N, --wait, --json (see `whoknows index --help`).
Exit codes: 0 done; 1 a source failed to read (its previous state is kept) or the
configuration is invalid; 2 bad usage; 3 more rejected records than --max-errors (nothing
switched); 4 another re-index holds the lock; 5 the new generation failed verification.
A progress bar on a terminal, plain log lines otherwise. See docs/operations.md.
"""

from __future__ import annotations

import sys

from search_api.cli import app


def main() -> None:
    """Run `whoknows index` with this script's arguments; exits with its code."""
    app(["index", *sys.argv[1:]], prog_name="reindex.py")


if __name__ == "__main__":
    main()
