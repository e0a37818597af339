"""Every ```python block of the README runs as written against the emulator, so the README
stays true. A block that starts with ``# test_<name>.py`` is a pytest file and is run by pytest
(with the SDK's plugin, as a user would).

The blocks run in this process, each as a fresh module of its own (a new interpreter per block
costs about a second of imports); one smoke test runs a block as a real script.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from _inprocess import run_pytest_inprocess
from openrouter.testing import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)
PYTEST_FILE = re.compile(r"# (test_\w+\.py)")


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 10


def _point_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # What a user's shell would have: the emulator as the service, a scratch working directory.
    monkeypatch.setenv("OPENROUTER_BASE_URL", emulator.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", emulator.api_key)
    monkeypatch.chdir(tmp_path)


def _run_as_module(code: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``code`` as the body of a new module (classes and pydantic models defined in it
    resolve their names there, as in a script)."""
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    monkeypatch.setitem(sys.modules, name, module)
    # A block may configure logging (basicConfig): that stays with the block.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    exec(compile(code, module.__file__, "exec"), module.__dict__)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(
    index: int,
    openrouter_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    code = BLOCKS[index]
    _point_at(openrouter_emulator, monkeypatch, tmp_path)
    match = PYTEST_FILE.match(code.lstrip().splitlines()[0])
    if match:
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        pytester.makepyfile(**{match.group(1)[: -len(".py")]: code})
        done = run_pytest_inprocess(pytester, monkeypatch)
        report = f"README block {index} failed:\n{code}\n" + "\n".join(done.outlines)
        assert done.ret == 0, report
        outcomes = done.parseoutcomes()
        assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed"}, report
        return
    try:
        _run_as_module(code, f"readme_block_{index:02d}", monkeypatch)
    except BaseException as exc:
        raise AssertionError(f"README block {index} failed:\n{code}") from exc


def test_readme_block_runs_as_a_script(openrouter_emulator: Emulator, tmp_path: Path) -> None:
    # One block for real, as `python -c`: the in-process runs above stand for a script run.
    env = dict(
        os.environ,
        OPENROUTER_BASE_URL=openrouter_emulator.url,
        OPENROUTER_API_KEY=openrouter_emulator.api_key,
    )
    cmd = [sys.executable, "-c", BLOCKS[0]]
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert done.stdout


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
        # A path to the folder (``../shared`` or ``... / "shared"``), not any word "shared".
        uses = re.search(r"""\.\./shared\b|/\s*["']shared["']|["']shared/""", text)
        if uses and path.name != "test_readme.py":
            users.append(path.name)
            assert "skip" in text and "needs ../shared/" in text, path.name
    assert len(users) >= 3
