"""``Cassette``: real OpenRouter traffic recorded once, replayed offline by the emulator.

A cassette is a reply source: each request that reaches ``POST /responses`` is answered from
the first unplayed recorded exchange that matches it (``Match``), byte for byte; in a record
mode, requests with no recording are forwarded to the real service and recorded
(``_cassette_record``). A request that can be neither replayed nor recorded is never sent
anywhere: it gets a 404 whose error message names the cassette and shows a diff against the
closest recorded request, and the miss is kept in ``Cassette.misses``. The file format is
described in ``_cassette_file`` (JSON lines, so no dependency and exact bytes).

Record modes, as in pytest-recording:

- ``none``: replay only (the default; use it in CI).
- ``once``: record every request if the file does not exist yet, else replay only.
- ``new_episodes``: replay what matches, record the rest (appended to the file).
- ``all``: record every request, rewriting the file with this session's exchanges.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from openrouter.testing._cassette_file import (
    RECORD_MODES,
    Episode,
    RecordMode,
    load_episodes,
    write_episodes,
)
from openrouter.testing._cassette_match import Match, closest_diff
from openrouter.testing._cassette_record import DEFAULT_UPSTREAM, Recorder, request_body
from openrouter.testing._faults import error_body
from openrouter.testing._http import DROP, Pause, Piece
from openrouter.testing._sources import Answer

if TYPE_CHECKING:
    from openrouter.testing._http import Exchange
    from openrouter.testing._records import RecordedRequest

__all__ = ["MISS_STATUS", "RECORD_MODES", "Cassette", "RecordMode", "open_cassette"]

# A miss is a client error the SDK does not retry (a 5xx would be retried into more misses).
MISS_STATUS = 404


class Cassette:
    """Recorded exchanges in a JSON-lines file, replayed (and recorded) by an ``Emulator``.

    >>> with Emulator(cassette="tests/cassettes/hello.jsonl", record_mode="once") as emu:
    ...     client = OpenRouter(api_key=emu.api_key, server_url=emu.url)

    ``match`` says which parts of a request must equal the recorded one's (default: method,
    path and the whole body). ``scrub_headers`` and ``scrub_fields`` (dotted paths into the
    request body) are replaced by ``"<scrubbed>"`` before anything is written, on top of
    ``Authorization``, cookies and the API key, which are never written. Recording forwards
    to ``upstream`` (default: ``$OPENROUTER_BASE_URL``, else OpenRouter) with
    ``upstream_api_key`` (default: ``$OPENROUTER_API_KEY``). ``pacing=True`` replays streams
    with their recorded timing instead of as fast as possible.
    """

    api_root = "/api/v1"  # the emulator's; set by the emulator that plays the cassette

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        record_mode: RecordMode = "none",
        match: Match | None = None,
        scrub_headers: Iterable[str] = (),
        scrub_fields: Iterable[str] = (),
        upstream: str | None = None,
        upstream_api_key: str | None = None,
        pacing: bool = False,
    ) -> None:
        if record_mode not in RECORD_MODES:
            choices = ", ".join(RECORD_MODES)
            raise ValueError(f"record_mode must be one of {choices}, not {record_mode!r}")
        for names in (scrub_headers, scrub_fields):
            if isinstance(names, str):
                raise TypeError("scrub_headers and scrub_fields take a list of names")
        self.path = Path(path)
        self.record_mode: RecordMode = record_mode
        self.match = match if match is not None else Match()
        self.pacing = pacing
        self.upstream = upstream or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_UPSTREAM
        self._upstream_api_key = upstream_api_key
        self._scrub_headers = frozenset(name.lower() for name in scrub_headers)
        self._scrub_fields = tuple(scrub_fields)
        self.existed = self.path.exists()
        self._loaded = [] if record_mode == "all" else load_episodes(self.path)
        self._keys = [self.match.key(e.method, e.path, e.body) for e in self._loaded]
        self._replays = record_mode in ("none", "new_episodes") or (
            record_mode == "once" and self.existed
        )
        self._records = record_mode in ("new_episodes", "all") or (
            record_mode == "once" and not self.existed
        )
        self._kept = self._loaded if record_mode == "new_episodes" else []
        self._new: list[Episode] = []
        self._secrets: set[str] = set()
        self._used: set[int] = set()
        self._lock = threading.Lock()
        self._recorder: Recorder | None = None
        self.misses: list[str] = []
        """Why each request that could be neither replayed nor recorded failed, in order."""

    def __repr__(self) -> str:
        return (
            f"<Cassette {str(self.path)!r} mode={self.record_mode} "
            f"replayed={self.replayed} recorded={self.recorded} misses={len(self.misses)}>"
        )

    @property
    def recording(self) -> bool:
        """Whether requests with no recording are forwarded and recorded."""
        return self._records

    @property
    def replayed(self) -> int:
        """How many recorded exchanges have been played."""
        with self._lock:
            return len(self._used)

    @property
    def recorded(self) -> int:
        """How many exchanges this cassette has recorded (and written)."""
        with self._lock:
            return len(self._new)

    def next_for(self, request: RecordedRequest) -> Answer:
        """The answer to ``request``: a replay, a recording, or a miss."""
        body = request_body(request, self._scrub_fields)
        key = self.match.key(request.method, request.path, body)
        with self._lock:
            if self._replays:
                for index, recorded in enumerate(self._keys):
                    if index not in self._used and recorded == key:
                        self._used.add(index)
                        return _Replay(self._loaded[index], self.pacing)
            if self._records:
                return self._recorder_locked().answer(request)
            message = self._miss(request, key)
            self.misses.append(message)
        return _Miss(message, self.path)

    def close(self) -> None:
        """Close the connection to the upstream, if one was opened (the file is always saved)."""
        with self._lock:
            recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.close()

    # -- internals -----------------------------------------------------------------------

    def _recorder_locked(self) -> Recorder:
        if self._recorder is None:
            self._recorder = Recorder(
                upstream=self.upstream,
                api_key=self._upstream_api_key,
                api_root=self.api_root,
                scrub_headers=self._scrub_headers,
                scrub_fields=self._scrub_fields,
                save=self._save,
                fail=self._fail,
            )
        return self._recorder

    def _save(self, episode: Episode, secrets: set[str]) -> None:
        with self._lock:
            self._new.append(episode)
            self._secrets.update(secrets)
            write_episodes(self.path, [*self._kept, *self._new], self._secrets)

    def _fail(self, message: str) -> None:
        with self._lock:
            self.misses.append(message)

    def _miss(self, request: RecordedRequest, key: dict[str, object]) -> str:
        what = f"{request.method} {request.path}"
        mode = f"record mode {self.record_mode!r}"
        hint = (
            "To record it, use record mode 'new_episodes' (pytest: "
            "--openrouter-record-mode=new_episodes); to start over, 'all'."
        )
        if not self.existed:
            return (
                f"Cassette {self.path} does not exist ({mode}): nothing can be replayed for "
                f"{what}. Record it first with record mode 'once' (pytest: "
                "--openrouter-record-mode=once)."
            )
        same = sum(1 for recorded in self._keys if recorded == key)
        if same:
            return (
                f"No unplayed exchange in cassette {self.path} matches {what} ({mode}): the "
                f"{same} recorded exchange(s) matching it were all replayed already. {hint}"
            )
        head = f"No recorded exchange in cassette {self.path} matches {what} ({mode})."
        closest = closest_diff(key, self._keys)
        if closest is None:
            return f"{head} The cassette holds no exchanges. {hint}"
        index, diff = closest
        where = f"exchange {index + 1} of {len(self._keys)}, line {self._loaded[index].line}"
        return f"{head}\nClosest recorded request ({where}):\n{diff}\n{hint}"


class _Replay(Answer):
    def __init__(self, episode: Episode, pacing: bool) -> None:
        self._episode = episode
        self._pacing = pacing

    def send(self, exchange: Exchange) -> None:
        episode = self._episode
        if episode.status is None:
            exchange.reset()
            return
        headers = dict(episode.response_headers)
        if episode.events is None:
            content_type = headers.pop("content-type", "application/json")
            exchange.send(episode.status, episode.body_bytes(), content_type, headers)
        else:
            content_type = headers.pop("content-type", "text/event-stream")
            exchange.stream(self._pieces(episode.events, episode.end), headers, content_type)

    def _pieces(self, events: list[tuple[str, float]], end: str) -> Iterator[Piece]:
        previous = 0.0
        for text, at in events:
            if self._pacing and at > previous:
                yield Pause(at - previous)
                previous = at
            yield text
        if end == "cut":
            yield DROP


class _Miss(Answer):
    def __init__(self, message: str, path: Path) -> None:
        self._message = message
        self._path = path

    def send(self, exchange: Exchange) -> None:
        body = error_body(MISS_STATUS, self._message, {"cassette": str(self._path)})
        exchange.send(MISS_STATUS, body)


def open_cassette(
    cassette: Cassette | str | os.PathLike[str] | None,
    record_mode: RecordMode | None,
    api_root: str,
) -> Cassette | None:
    """The emulator's ``cassette=`` / ``record_mode=`` arguments, as a ``Cassette``."""
    if cassette is None:
        if record_mode is not None:
            raise ValueError("record_mode needs a cassette: Emulator(cassette=PATH, ...)")
        return None
    if isinstance(cassette, Cassette):
        if record_mode is not None and record_mode != cassette.record_mode:
            raise ValueError("give the record mode to the Cassette, not to the Emulator")
    else:
        cassette = Cassette(cassette, record_mode=record_mode or "none")
    cassette.api_root = api_root
    return cassette
