"""Which recorded exchange answers a request (``Match``), and the diff shown when none does."""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openrouter.testing._cassette_file import drop_path, get_path

__all__ = ["Match", "closest_diff"]

_MAX_DIFF_LINES = 60


@dataclass(frozen=True)
class Match:
    """Which parts of a request must equal a recorded one's for the recording to answer it.

    By default the method, the path (with its query) and the whole JSON body. ``ignore``
    leaves body fields out (``Match(ignore=["metadata", "user"])``); ``only`` compares just
    the listed ones (``Match(only=["model", "input"])``). Fields are dotted paths into the
    body (``"reasoning.effort"``, ``"input.0.content"``). Key order and spacing never matter.
    """

    method: bool = True
    path: bool = True
    body: bool = True
    only: Sequence[str] | None = None
    ignore: Sequence[str] = ()

    def __post_init__(self) -> None:
        # Strings are sequences too: Match(only="model") means the one field.
        for name in ("only", "ignore"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif value is not None:
                object.__setattr__(self, name, tuple(value))

    def key(self, method: str, path: str, body: Any) -> dict[str, Any]:
        """What is compared: equal keys match."""
        key: dict[str, Any] = {}
        if self.method:
            key["method"] = method.upper()
        if self.path:
            key["path"] = path
        if self.body:
            key["body"] = self._body(body)
        return key

    def _body(self, body: Any) -> Any:
        if self.only is not None:
            picked: dict[str, Any] = {}
            for dotted in self.only:
                found, value = get_path(body, dotted)
                if found:
                    picked[dotted] = value
            return picked
        if not self.ignore:
            return body
        body = copy.deepcopy(body)
        for dotted in self.ignore:
            drop_path(body, dotted)
        return body


def _render(key: dict[str, Any]) -> list[str]:
    head = " ".join(str(key[part]) for part in ("method", "path") if part in key)
    lines = [head] if head else []
    if "body" in key:
        text = json.dumps(key["body"], indent=2, sort_keys=True, ensure_ascii=False)
        lines.extend(text.splitlines())
    return lines


def closest_diff(
    received: dict[str, Any], recorded: Sequence[dict[str, Any]]
) -> tuple[int, str] | None:
    """The index of the recorded key closest to ``received`` and a unified diff of the two."""
    if not recorded:
        return None
    mine = _render(received)
    best, best_score = 0, (-1, -1.0)
    for index, key in enumerate(recorded):
        same = sum(key.get(part) == received.get(part) for part in ("method", "path"))
        ratio = difflib.SequenceMatcher(None, _render(key), mine, autojunk=False).ratio()
        if (same, ratio) > best_score:
            best, best_score = index, (same, ratio)
    diff = list(
        difflib.unified_diff(_render(recorded[best]), mine, "recorded", "received", lineterm="")
    )
    if len(diff) > _MAX_DIFF_LINES:
        diff = [*diff[:_MAX_DIFF_LINES], f"... ({len(diff) - _MAX_DIFF_LINES} more diff lines)"]
    return best, "\n".join(diff)
