"""JSON decoding that never raises ``RecursionError``: hostile input gets a ``ValueError``."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["JSONNestingError", "loads"]


class JSONNestingError(ValueError):
    """The JSON text nests deeper than the decoder can follow."""


def loads(text: str | bytes) -> Any:
    """``json.loads``, with nesting too deep for the C decoder reported as a ``ValueError``."""
    try:
        return json.loads(text)
    except RecursionError:
        raise JSONNestingError("the JSON is nested too deeply to decode") from None
