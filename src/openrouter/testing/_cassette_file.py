"""The cassette file: recorded exchanges as JSON lines, one fact per line.

Why JSON lines rather than YAML: it needs nothing beyond the standard library (YAML would need
PyYAML), and a JSON string holds any text exactly (``\\r``, trailing spaces, tabs, a lone
``\\n``), so a stream replays byte for byte where a YAML block scalar would quietly fold or
strip them. One line per fact keeps it diff-friendly: each SSE event is its own line, so a
re-recording shows which events changed. A file reads like this::

    {"openrouter_cassette": 1}
    {"request": {"method": "POST", "path": "/api/v1/responses", "headers": {...}, "body": {...}}}
    {"response": {"status": 200, "headers": {"content-type": "text/event-stream"}, "stream": true}}
    {"event": "event: response.created\\ndata: {...}\\n\\n", "t": 0.004}
    ...
    {"end": "done"}
    {"request": {...}}
    {"response": {"status": 429, "headers": {"retry-after": "1"}, "json": {"error": {...}}}}

A stream ends with ``{"end": "done"}``, or ``{"end": "cut"}`` when the connection was cut
before the body was complete; ``{"reset": true}`` after a request means the connection was
reset with no answer. ``t`` is the time of the event since the response began (seconds).
JSON bodies are stored parsed, for reading; other bodies as text.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from openrouter import _json

__all__ = [
    "RECORD_MODES",
    "SCRUBBED",
    "CassetteFormatError",
    "Episode",
    "RecordMode",
    "drop_path",
    "get_path",
    "load_episodes",
    "scrub_fields",
    "split_events",
    "string_leaves",
    "write_episodes",
]

VERSION = 1
SCRUBBED = "<scrubbed>"

RecordMode = Literal["none", "once", "new_episodes", "all"]
RECORD_MODES: tuple[RecordMode, ...] = get_args(RecordMode)

_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


class CassetteFormatError(ValueError):
    """The cassette file is not one this version can read (with the line at fault)."""


@dataclass
class Episode:
    """One recorded exchange: the request, then the answer (``status`` ``None``: a reset)."""

    method: str
    path: str
    body: Any  # the request's JSON body (``None`` when it had none)
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    json: Any = None  # a JSON response body
    text: str | None = None  # any other response body
    events: list[tuple[str, float]] | None = None  # a stream: (SSE text, seconds since start)
    end: Literal["done", "cut"] = "done"
    line: int = 0  # where the episode starts in its file (1-based), for messages

    @property
    def is_stream(self) -> bool:
        return self.events is not None

    def body_bytes(self) -> bytes:
        if self.text is not None:
            return self.text.encode()
        if self.json is None:
            return b""
        return json.dumps(self.json, ensure_ascii=False, separators=(",", ":")).encode()

    def lines(self) -> list[dict[str, Any]]:
        request: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.headers:
            request["headers"] = self.headers
        request["body"] = self.body
        out: list[dict[str, Any]] = [{"request": request}]
        if self.status is None:
            out.append({"reset": True})
            return out
        response: dict[str, Any] = {"status": self.status, "headers": self.response_headers}
        if self.events is not None:
            response["stream"] = True
        elif self.text is not None:
            response["text"] = self.text
        else:
            response["json"] = self.json
        out.append({"response": response})
        if self.events is not None:
            out.extend({"event": text, "t": round(at, 3)} for text, at in self.events)
            out.append({"end": self.end})
        return out


# -- reading ---------------------------------------------------------------------------------


def load_episodes(path: Path) -> list[Episode]:
    """The episodes in ``path``, in order (an empty list when the file does not exist)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    episodes: list[Episode] = []
    current: Episode | None = None
    streaming = False
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            fact = _json.loads(line)
        except ValueError as exc:
            raise CassetteFormatError(f"{path}:{number}: not JSON: {exc}") from None
        if not isinstance(fact, dict) or len(fact) == 0:
            raise CassetteFormatError(f"{path}:{number}: expected a JSON object")
        kind = next(iter(fact))
        where = f"{path}:{number}"
        if kind == "openrouter_cassette":
            if fact[kind] != VERSION:
                raise CassetteFormatError(f"{where}: cassette version {fact[kind]!r} unknown")
        elif kind == "request":
            if streaming:
                raise CassetteFormatError(f"{where}: the stream before has no end line")
            current = _request(fact[kind], where, number)
            episodes.append(current)
        elif current is None:
            raise CassetteFormatError(f"{where}: {kind!r} before any request")
        elif kind == "response":
            streaming = _response(current, fact[kind], where)
        elif kind == "reset":
            current.status = None
        elif kind == "event" and streaming and current.events is not None:
            if not isinstance(fact["event"], str):
                raise CassetteFormatError(f"{where}: an event is a string of SSE text")
            current.events.append((fact["event"], float(fact.get("t", 0.0))))
        elif kind == "end" and streaming and fact[kind] in ("done", "cut"):
            current.end = fact[kind]
            streaming = False
        else:
            raise CassetteFormatError(f"{where}: unexpected {kind!r} line")
    if streaming:
        raise CassetteFormatError(f"{path}: the last stream has no end line")
    return episodes


def _request(data: Any, where: str, number: int) -> Episode:
    if not isinstance(data, dict) or not isinstance(data.get("method"), str):
        raise CassetteFormatError(f"{where}: a request needs a method and a path")
    if not isinstance(data.get("path"), str):
        raise CassetteFormatError(f"{where}: a request needs a method and a path")
    headers = data.get("headers") or {}
    return Episode(data["method"], data["path"], data.get("body"), dict(headers), line=number)


def _response(episode: Episode, data: Any, where: str) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("status"), int):
        raise CassetteFormatError(f"{where}: a response needs a status")
    episode.status = data["status"]
    episode.response_headers = dict(data.get("headers") or {})
    if data.get("stream"):
        episode.events = []
        return True
    episode.text = data.get("text")
    episode.json = data.get("json")
    return False


# -- writing ---------------------------------------------------------------------------------


def write_episodes(path: Path, episodes: Iterable[Episode], secrets: Iterable[str]) -> None:
    """Write the whole cassette atomically; every secret is replaced wherever it appears."""
    hidden = sorted({form for s in secrets if s for form in _written_forms(s)}, key=len)
    hidden.reverse()  # longest first: a secret inside another is not left half replaced
    lines = [_dump({"openrouter_cassette": VERSION}, hidden)]
    for episode in episodes:
        lines.extend(_dump(fact, hidden) for fact in episode.lines())
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _written_forms(secret: str) -> set[str]:
    """How ``secret`` can look in a line: as is, JSON-escaped, or escaped twice (inside the
    JSON of an SSE event, inside the line's JSON string)."""
    forms = {secret}
    for ascii_only in (False, True):
        once = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
        forms.update((once, json.dumps(once, ensure_ascii=ascii_only)[1:-1]))
    return forms


def _dump(fact: Mapping[str, Any], secrets: list[str]) -> str:
    line = json.dumps(fact, ensure_ascii=False)
    for secret in secrets:
        line = line.replace(secret, SCRUBBED)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a JSON escape): keep it escaped
        line = json.dumps(json.loads(line))
    return line


# -- SSE text and JSON paths -----------------------------------------------------------------


def split_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete events at the start of ``buffer`` (each with its blank line), and the rest."""
    events: list[bytes] = []
    start = 0
    for end in _EVENT_END.finditer(buffer):
        events.append(buffer[start : end.end()])
        start = end.end()
    return events, buffer[start:]


def _segments(dotted: str) -> list[str]:
    return [part for part in dotted.split(".") if part]


def _step(value: Any, key: str) -> tuple[bool, Any]:
    if isinstance(value, dict):
        return (key in value, value.get(key))
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return (True, value[int(key)])
    return (False, None)


def get_path(value: Any, dotted: str) -> tuple[bool, Any]:
    """``(found, value)`` at a dotted path (``"metadata.user"``, ``"input.0.content"``)."""
    for key in _segments(dotted):
        found, value = _step(value, key)
        if not found:
            return (False, None)
    return (True, value)


def _parent(value: Any, dotted: str) -> tuple[Any, str] | None:
    parts = _segments(dotted)
    if not parts:
        return None
    found, parent = get_path(value, ".".join(parts[:-1]))
    return (parent, parts[-1]) if found else None


def drop_path(value: Any, dotted: str) -> None:
    """Remove the field at a dotted path, in place (nothing when it is absent)."""
    where = _parent(value, dotted)
    if where is not None and isinstance(where[0], dict):
        where[0].pop(where[1], None)


def string_leaves(value: Any, paths: Iterable[str]) -> list[str]:
    """Every string at or under the fields at ``paths``."""
    found: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    for dotted in paths:
        present, node = get_path(value, dotted)
        if present:
            collect(node)
    return found


def scrub_fields(value: Any, paths: Iterable[str]) -> None:
    """Replace the fields at ``paths`` with ``"<scrubbed>"``, in place."""
    for dotted in paths:
        where = _parent(value, dotted)
        if where is None:
            continue
        parent, key = where
        if isinstance(parent, dict) and key in parent:
            parent[key] = SCRUBBED
        elif isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
            parent[int(key)] = SCRUBBED
