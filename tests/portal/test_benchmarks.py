"""The benchmarks under tests/bench/ are not run by the suite (they take minutes and the whole machine), but
anyone must be able to start one: each compiles, and those with options answer --help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_every_benchmark_compiles(script):
    compile(script.read_text(encoding="utf-8"), str(script), "exec")


@pytest.mark.parametrize("name", ["bench_edge.py", "bench_load.py", "bench_mixed.py", "bench_servers.py"])
def test_the_benchmarks_with_options_explain_them(name):
    shown = subprocess.run([sys.executable, str(BENCH / name), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "--rounds" in shown.stdout or "--seconds" in shown.stdout
