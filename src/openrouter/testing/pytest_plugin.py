"""pytest fixtures for code that uses the OpenRouter SDK, registered via the ``pytest11`` entry
point: ``openrouter_emulator`` (a running ``Emulator``) and ``openrouter_client`` (an
``OpenRouter`` client pointed at it).

``@pytest.mark.openrouter_cassette("name", **options)`` on a test or a class makes the emulator
answer from the cassette ``cassettes/<name>.jsonl`` next to the test file (or under the
``openrouter_cassette_dir`` ini option, relative to the rootdir); ``options`` are ``Cassette``
keywords, on top of the ``openrouter_cassette_options`` fixture's. The record mode is
``--openrouter-record-mode`` if given, else the marker's ``record_mode``, else ``none``. A
request the cassette could not answer fails the test with a diff, even when the code under
test swallowed the error it got.

Importing this module is cheap on purpose (pytest imports it in every session of every project
that has the SDK installed): no server, no jsonschema, no client until a fixture is used.

When ``jsonschema`` is missing, the emulator answers without checking request bodies; pytest's
header says so, with the command that turns the checks on.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from openrouter import OpenRouter
    from openrouter.testing import Cassette, Emulator

_MARKER = "openrouter_cassette"
# ``RecordMode``'s values, spelled out: importing the cassette modules here would not be cheap.
RECORD_MODES = ("none", "once", "new_episodes", "all")
_EMULATOR = pytest.StashKey["Emulator"]()
# Cassette path -> whether its first use in this session was recording: a later test sharing
# it keeps adding to it rather than replaying a file this session just wrote.
_OPENED = pytest.StashKey[dict[Path, bool]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openrouter", "OpenRouter SDK")
    group.addoption(
        "--openrouter-record-mode",
        choices=RECORD_MODES,
        default=None,
        help="record mode of openrouter_cassette tests: none (replay only, the default), "
        "once, new_episodes or all",
    )
    parser.addini(
        "openrouter_cassette_dir",
        "directory of openrouter_cassette files, relative to the rootdir "
        "(default: cassettes/ next to each test file)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(name=None, **options): answer the openrouter_emulator from the recorded "
        "cassette <name>.jsonl (options: record_mode, match, scrub_headers, scrub_fields, "
        "upstream, pacing)",
    )
    config.stash[_OPENED] = {}


# The same text as openrouter.testing._schema.INSTALL_HINT, which this module must not import.
_INSTALL_HINT = "pip install 'openrouter[testing]'"


def pytest_report_header(config: pytest.Config) -> str | None:
    """One header line when the emulator cannot validate request bodies (silent otherwise)."""
    # find_spec looks for the package without importing it (a noticeable cost in every session).
    if importlib.util.find_spec("jsonschema") is not None:
        return None
    return (
        "openrouter: the emulator does not validate request bodies (jsonschema is not "
        f"installed); turn validation on with: {_INSTALL_HINT}"
    )


@pytest.fixture
def openrouter_cassette_options() -> dict[str, Any]:
    """``Cassette`` keywords for every cassette test; override it in a ``conftest.py``."""
    return {}


@pytest.fixture
def openrouter_emulator(
    request: pytest.FixtureRequest, openrouter_cassette_options: dict[str, Any]
) -> Iterator[Emulator]:
    """A fresh, running emulator for one test (its own port, queue and records)."""
    from openrouter.testing import Emulator

    # Starting one costs about a millisecond (the request validator is built once per
    # process), so every test simply gets its own instead of sharing a reset one.
    with Emulator(cassette=_cassette_for(request, openrouter_cassette_options)) as emulator:
        request.node.stash[_EMULATOR] = emulator
        yield emulator


@pytest.fixture
def openrouter_client(openrouter_emulator: Emulator) -> Iterator[OpenRouter]:
    """An ``OpenRouter`` client talking to ``openrouter_emulator``; closed after the test."""
    from openrouter import OpenRouter

    client = OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url)
    with client:
        yield client


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield
    except BaseException as exc:
        # The test failed anyway; unless its error already tells (the client's error carries
        # the miss message), say what the cassette could not answer under it (Python 3.11+).
        report = _misses(item, already_shown=str(exc))
        add_note = getattr(exc, "add_note", None)
        if report and add_note is not None:
            add_note(report)
        raise
    report = _misses(item)
    if report:
        pytest.fail(report, pytrace=False)


def _misses(item: pytest.Item, already_shown: str = "") -> str:
    emulator = item.stash.get(_EMULATOR, None)
    cassette = emulator.cassette if emulator is not None else None
    if cassette is None or all(miss in already_shown for miss in cassette.misses):
        return ""
    count = len(cassette.misses)
    head = f"openrouter cassette {cassette.path}: {count} request(s) could not be answered"
    return "\n\n".join([head, *cassette.misses])


def _cassette_for(request: pytest.FixtureRequest, options: dict[str, Any]) -> Cassette | None:
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        return None
    from openrouter.testing import Cassette

    keywords = {**options, **marker.kwargs}
    name = marker.args[0] if marker.args else keywords.pop("name", None)
    keywords.pop("name", None)
    if not name:
        # One cassette per test: ``TestClass.test_name[param]``, made file-name safe.
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1].replace("::", "."))
    path = _directory(request) / (name if str(name).endswith(".jsonl") else f"{name}.jsonl")
    mode = request.config.getoption("--openrouter-record-mode") or keywords.pop("record_mode", None)
    keywords.pop("record_mode", None)
    mode = mode or "none"
    opened = request.config.stash[_OPENED]
    if opened.get(path) and mode in ("once", "all"):
        mode = "new_episodes"
    cassette = Cassette(path, record_mode=mode, **keywords)
    opened.setdefault(path, cassette.recording)
    return cassette


def _directory(request: pytest.FixtureRequest) -> Path:
    configured = str(request.config.getini("openrouter_cassette_dir") or "")
    if configured:
        return Path(request.config.rootpath) / configured
    return Path(request.node.path).parent / "cassettes"
