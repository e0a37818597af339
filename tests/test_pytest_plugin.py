"""Request validation in the emulator and the pytest plugin: on by default with jsonschema;
without it, a clear error when asked for and a pytest header line saying how to turn it on."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from openrouter.testing import Emulator, _schema, pytest_plugin


@pytest.fixture
def no_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if ``jsonschema`` were not installed (and no checker had been built yet)."""
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # makes `import jsonschema` fail
    monkeypatch.setattr(_schema, "_checker", None)
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        return None if name == "jsonschema" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_the_emulator_validates_by_default() -> None:
    with Emulator() as emu:
        emu.enqueue("never used")
        import httpx

        answer = httpx.post(
            f"{emu.url}/responses",
            json={"model": "m", "input": "hi", "temperature": "hot"},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        )
    assert answer.status_code == 400
    assert "temperature" in answer.json()["error"]["message"]


def test_validate_true_without_jsonschema_says_what_to_install(no_jsonschema: None) -> None:
    with pytest.raises(ImportError) as info:
        Emulator(validate=True)
    message = str(info.value)
    assert "jsonschema" in message
    assert "pip install 'openrouter[testing]'" in message
    assert "validate=False" in message
    # The default quietly answers without validation, and validate=False never needs it.
    for emulator in (Emulator(), Emulator(validate=False)):
        with emulator as emu:
            assert emu._checker is None


def test_pytest_header_says_validation_is_off(
    no_jsonschema: None, pytestconfig: pytest.Config
) -> None:
    # Through pytest's hook, as the header is made: the plugin is registered and answers.
    answers = pytestconfig.pluginmanager.hook.pytest_report_header(
        config=pytestconfig, start_path=pytestconfig.rootpath, startdir=None
    )
    lines = [
        line for answer in answers for line in ([answer] if isinstance(answer, str) else answer)
    ]
    [line] = [text for text in lines if text.startswith("openrouter:")]
    assert line.startswith("openrouter: the emulator does not validate request bodies")
    assert line.endswith("turn validation on with: pip install 'openrouter[testing]'")


def test_pytest_header_is_silent_when_validation_is_on(pytestconfig: pytest.Config) -> None:
    assert pytest_plugin.pytest_report_header(pytestconfig) is None


def test_the_header_and_the_error_name_the_same_install_command() -> None:
    assert pytest_plugin._INSTALL_HINT == _schema.INSTALL_HINT
