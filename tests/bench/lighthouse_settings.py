"""Settings for tests/bench/bench_lighthouse.py: the production settings, with uploads served by the app
(tests/bench/lighthouse_urls.py)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.lighthouse_urls"
