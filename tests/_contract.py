"""OpenRouter's OpenAPI contract, kept beside the checkout in ``../shared/contract``.

Parsing its YAML takes one to two seconds, and several test files read it: it is parsed once per
run and shared (so tests must not change what they get), and the parse is kept between runs
in ``tests/__pycache__``, keyed by the document's hash. Tests that need it skip without it,
with ``NEEDS_CONTRACT`` as the reason.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SPEC = Path(__file__).resolve().parents[2] / "shared/contract/openrouter-openapi.yaml"
NEEDS_CONTRACT = "needs ../shared/contract beside the checkout"
_KEPT = Path(__file__).resolve().parent / "__pycache__"


@cache
def openapi(path: Path = SPEC) -> dict[str, Any]:
    raw = path.read_bytes()
    kept = _KEPT / f"openapi-{hashlib.sha256(raw).hexdigest()[:24]}.pickle"
    try:
        loaded: dict[str, Any] = pickle.loads(kept.read_bytes())  # written below, by this code
        return loaded
    except Exception:  # not kept yet, or unreadable: parse it again
        pass
    yaml = pytest.importorskip("yaml")
    loaded = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        _KEPT.mkdir(exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.tmp")  # runs side by side never mix files
        partial.write_bytes(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(kept)
    except OSError:
        pass  # a read-only checkout parses every run
    return loaded
