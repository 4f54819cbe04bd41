"""Say in one line whether a PostgreSQL server answers: `python -m portal.dbcheck URL`."""

from __future__ import annotations

import sys

import psycopg
from psycopg.conninfo import conninfo_to_dict


def check(url: str) -> str | None:
    """Return None when the server answers, else the reason it does not."""
    params = conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    # Ask the maintenance database: the project's own may not exist yet on a fresh machine.
    params |= {"dbname": "postgres", "connect_timeout": 5}
    try:
        psycopg.connect(**params).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


if __name__ == "__main__":
    url = sys.argv[1]
    if reason := check(url):
        sys.exit(f"error: PostgreSQL does not answer at {url}: {reason}")
