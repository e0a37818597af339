"""Every ```python block of the README runs as written against the emulator, so the README
stays true. A block that starts with ``# test_<name>.py`` is a pytest file and is run by pytest
(with the SDK's plugin, as a user would)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter.testing import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, openrouter_emulator: Emulator, tmp_path: Path) -> None:
    code = BLOCKS[index]
    env = dict(
        os.environ,
        OPENROUTER_BASE_URL=openrouter_emulator.url,
        OPENROUTER_API_KEY=openrouter_emulator.api_key,
    )
    first = code.lstrip().splitlines()[0]
    match = re.match(r"# (test_\w+\.py)", first)
    if match:
        path = tmp_path / match.group(1)
        path.write_text(code)
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    else:
        cmd = [sys.executable, "-c", code]
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    report = f"README block {index} failed:\n{code}\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
