"""Settings for tests/bench/bench_load.py: the production settings, plus the benchmark's reference page.

The server runs with DJANGO_SETTINGS_MODULE=tests.bench.settings, so nothing made for the benchmark ships in
portal/: the only difference is the URL configuration (tests/bench/urls.py adds /bench/floor/).
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
