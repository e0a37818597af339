"""Running pytest on a user's test files inside this process (``pytester``), for speed: a new
interpreter per run costs about a second of imports, several times that on a busy machine."""

from __future__ import annotations

import importlib
import pkgutil

import pytest


def import_all_of_openrouter() -> None:
    """pytester drops the modules an in-process run imported; with the whole package loaded
    first, no class is imported twice (isinstance would then fail across the copies)."""
    import openrouter

    for info in pkgutil.walk_packages(openrouter.__path__, "openrouter."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def run_pytest_inprocess(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> pytest.RunResult:
    """``pytest -q *args`` in ``pytester.path``, as a user would run it, in this process."""
    import_all_of_openrouter()
    # Under CI pytest prints the summary lines whole, repeating each failure's message: what
    # a test reads of the output must not depend on where the suite runs.
    for variable in ("CI", "BUILD_NUMBER"):
        monkeypatch.delenv(variable, raising=False)
    # A test file rewritten within the same second must be read again, not a stale .pyc.
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    # Hypothesis's plugin imports (and assertion-rewrites) all of hypothesis again in every
    # run, since pytester drops what a run imported; the users' files here never use it.
    return pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args
    )
