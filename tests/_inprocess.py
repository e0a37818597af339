"""Running pytest on a user's test files inside this process (``pytester``), for speed: a new
interpreter per run costs about a second of imports, several times that on a busy machine."""

from __future__ import annotations

import importlib
import pkgutil

import pytest


def _import_all_of_openrouter() -> None:
    import openrouter

    for info in pkgutil.walk_packages(openrouter.__path__, "openrouter."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    # httpx imports httpcore only when it builds its first transport, and keeps the httpcore
    # exception classes it maps from then on: a transport first built in an in-process run
    # would leave httpx mapping classes of a dropped copy, and raw httpcore errors would
    # escape every later test of the worker.
    import httpcore  # noqa: F401


# pytester drops the modules imported after its fixture was set up: a module first imported by
# an in-process run would be imported again later, and isinstance fails across the two copies.
# With the whole package (and what it loads lazily) loaded when a test file using this one is
# collected, none is.
_import_all_of_openrouter()


def run_pytest_inprocess(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> pytest.RunResult:
    """``pytest -q *args`` in ``pytester.path``, as a user would run it, in this process."""
    # Under CI pytest prints the summary lines whole, repeating each failure's message: what
    # a test reads of the output must not depend on where the suite runs.
    for variable in ("CI", "BUILD_NUMBER"):
        monkeypatch.delenv(variable, raising=False)
    # A test file rewritten within the same second must be read again, not a stale .pyc.
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    # The users' files here never use hypothesis: its plugin would only add to each run.
    return pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args
    )
