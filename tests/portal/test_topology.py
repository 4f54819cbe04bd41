"""The whole topology of tests/topology.py, in short: Varnish in front of two app servers, a PostgreSQL
primary with a streaming replica, the two Redis; 15 s of reading and commenting through the edge while one
app server is killed, the replica restarted and the cache Redis restarted. About 40 s in all.

Skipped without varnishd or the PostgreSQL server binaries for a replica, except under CI, where that fails;
skipped without redis-server (which CI may lack, as tests/conftest.py's redis_server does)."""

from __future__ import annotations

import io
import os
import shutil
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest

from tests import pgcluster
from tests.topology import LOAD_SETTINGS, run_load, topology
from tests.varnish import PROBE_INTERVAL, TEST_PARAMS, require_varnishd

# Two app servers, bench readers and a replica: one at a time with the other tests that hold many connections.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("many_pg_connections")]


@pytest.fixture
def running(tmp_path):
    """The topology on the suite's PostgreSQL server, with a database of its own: <DATABASE_URL's>_topology."""
    require_varnishd()
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    url = urlsplit(os.environ["DATABASE_URL"])
    stack = ExitStack()
    try:
        top = stack.enter_context(
            topology(
                f"{url.path.strip('/')}_topology",
                server_url=url._replace(path="/").geturl(),
                folder=tmp_path,
                workers=1,
                probe_interval=PROBE_INTERVAL,
                varnish_params=TEST_PARAMS,
                settings=LOAD_SETTINGS,
            )
        )
    except pgcluster.Unavailable as why:
        stack.close()
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a streaming replica for the topology: {why}")
        pytest.skip(f"no streaming replica can be made here: {why}")
    with stack:
        yield top


def test_reading_and_commenting_survive_a_dead_app_server_and_restarted_replica_and_cache(running):
    # A quarter of the full run's connections, one worker per server; the app servers flush views by themselves.
    outcome = run_load(
        running,
        seconds=15,
        connections=8,
        visitors=300,
        retry_wait=2,
        flush_every=None,
        aim_seconds=1,
        out=io.StringIO(),
    )
    report = outcome.report

    assert outcome.faults == ["app server kill", "replica restart", "cache Redis restart"], report
    assert outcome.fives_beyond_faults == 0, report
    assert outcome.acknowledged > 0 and outcome.stored_once == outcome.acknowledged, report
    assert 0 < outcome.views_expected <= outcome.views_stored <= outcome.views_expected + outcome.views_unsure, report
    # And the rest of bench_mixed's checks: what a fault cut off answered on its retry once the fault was over,
    # double clicks one comment, no comment stored that nobody was answered for, nothing left in the view buffer.
    assert outcome.failed_checks == [], report
