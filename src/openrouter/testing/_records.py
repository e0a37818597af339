"""``RecordedRequest``: what the emulator remembers of each request, credentials redacted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter.testing._http import Exchange

__all__ = ["RecordedRequest", "record_of"]

_SENSITIVE = frozenset({"authorization", "proxy-authorization"})


@dataclass
class RecordedRequest:
    """One request as the emulator received it.

    ``headers`` has lower-cased names; credentials in ``authorization`` are redacted.
    ``time`` is ``time.monotonic()`` at arrival. ``status`` is the HTTP status answered
    (``None`` until answered, and for connection resets); it is set before the response is
    sent, so a client that has read the response always finds it here.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    time: float = 0.0
    validation_errors: list[str] = field(default_factory=list)
    status: int | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


def _redact(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    if not token:
        return "...REDACTED"
    # The public "sk-or-" prefix says which kind of key was sent without revealing it.
    prefix = "sk-or-" if token.startswith("sk-or-") else ""
    return f"{scheme} {prefix}...REDACTED"


def record_of(exchange: Exchange) -> RecordedRequest:
    """A record of ``exchange`` whose ``status`` follows the answer as it is sent."""
    headers: dict[str, str] = {}
    for name, value in exchange.headers.items():
        key = name.lower()
        if key in _SENSITIVE:
            value = _redact(value)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    record = RecordedRequest(
        exchange.method, exchange.path, headers, exchange.body, None, exchange.arrived
    )

    def on_status(status: int) -> None:
        record.status = status

    exchange.on_status = on_status
    return record
