"""OpenRouter's OpenAPI contract, kept beside the checkout in ``../shared/contract``.

Parsing it takes about a second, and several test files read it: it is parsed once per run and
shared, so tests must not change what they get. Tests that need it skip without it, with
``NEEDS_CONTRACT`` as the reason.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

SPEC = Path(__file__).resolve().parents[2] / "shared/contract/openrouter-openapi.yaml"
NEEDS_CONTRACT = "needs ../shared/contract beside the checkout"


@cache
def openapi(path: Path = SPEC) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    with path.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded
