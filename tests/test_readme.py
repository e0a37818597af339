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


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_readme_documents_every_fault_and_stream_option() -> None:
    import dataclasses

    from openrouter.testing import Fault, Reply

    section = _section("Testing your code offline")
    faults = [name for name, value in vars(Fault).items() if isinstance(value, classmethod)]
    assert len(faults) >= 6
    for name in faults:
        assert f"- `Fault.{name}(" in section, f"Fault.{name} is not documented"
    # Every Reply field after the result options is a stream option.
    names = [f.name for f in dataclasses.fields(Reply)]
    stream_options = names[names.index("delta_size") :]
    assert len(stream_options) >= 14
    for name in stream_options:
        assert f"- `{name}`" in section, f"{name} is not documented"


def test_readme_says_the_install_needs_the_registry_and_names_shared() -> None:
    quickstart = _section("Quickstart")
    assert "offline on a fresh machine" not in quickstart
    assert "package registry" in quickstart and "works offline" in quickstart
    assert "`../shared" in quickstart


def test_tests_needing_shared_skip_naming_it() -> None:
    # Checkouts without the `shared` folder beside them skip these tests, and say why.
    users = []
    for path in sorted(README.parent.joinpath("tests").glob("test_*.py")):
        text = path.read_text()
        if re.search(r"""["'/]shared[/"']""", text) and path.name != "test_readme.py":
            users.append(path.name)
            assert "skip" in text and "needs ../shared/" in text, path.name
    assert len(users) >= 3
