"""The Makefile finds a Python >= 3.12 by itself, and says so plainly when there is none."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_stops_with_one_clear_line_when_no_python_is_new_enough(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    sandbox = tmp_path / "bin"  # only the tools the recipe needs, and a python3 that is too old
    sandbox.mkdir()
    for tool in ("bash", "sh", "make", "ls", "sort", "rm", "touch", "env", "cat"):
        if found := shutil.which(tool):
            (sandbox / tool).symlink_to(found)
    old = sandbox / "python3"  # fails the version check, as a Python 3.11 does
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)

    result = subprocess.run(
        [str(sandbox / "make"), "venv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(sandbox), "HOME": str(tmp_path)},
    )

    assert result.returncode != 0
    assert "error: no Python >= 3.12 found" in result.stderr
    assert not (tmp_path / ".venv").exists()
