"""What the command prints: the answer as it streams, reasoning, JSON events, usage lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from openrouter.components import OpenResponsesResult
    from openrouter.usage import Usage

_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


class Printer:
    """Writes what a response produces: text to stdout as it arrives, reasoning to stderr,
    or every event as a JSON line."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        json_mode: bool = False,
        show_reasoning: bool = False,
        dim: bool = False,
    ) -> None:
        self.out = out
        self.err = err
        self.json_mode = json_mode
        self.show_reasoning = show_reasoning
        self.dim = dim
        self._text_tail = ""  # last character of answer text written
        self._reasoning_tail = ""
        self._reasoning_part: tuple[Any, ...] | None = None

    def start(self) -> None:
        self._text_tail = self._reasoning_tail = ""
        self._reasoning_part = None

    def event(self, event: Any) -> None:
        if self.json_mode:
            import json

            self.out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
            self.out.flush()
            return
        kind = event.type
        if kind == "response.output_text.delta":
            self.text(event.delta)
        elif kind in ("response.reasoning_text.delta", "response.reasoning_summary_text.delta"):
            part = (
                kind,
                getattr(event, "item_id", None),
                getattr(event, "summary_index", None),
                getattr(event, "content_index", None),
            )
            self.reasoning(event.delta, part)

    def text(self, text: str) -> None:
        if not text:
            return
        self._end_reasoning()
        self.out.write(text)
        self.out.flush()
        self._text_tail = text[-1]

    def reasoning(self, text: str, part: tuple[Any, ...] | None = None) -> None:
        if not self.show_reasoning or not text:
            return
        if part != self._reasoning_part and self._reasoning_tail not in ("", "\n"):
            self.err.write("\n")  # a new summary part starts on its own line
        self._reasoning_part = part
        self.err.write(f"{_DIM}{text}{_RESET}" if self.dim else text)
        self.err.flush()
        self._reasoning_tail = text[-1]

    def _end_reasoning(self) -> None:
        if self._reasoning_tail:
            if self._reasoning_tail != "\n":
                self.err.write("\n")
            self.err.flush()
            self._reasoning_tail = ""
            self._reasoning_part = None

    def finish(self) -> None:
        """End the answer on a line of its own (also after Ctrl-C or an error mid-answer)."""
        self._end_reasoning()
        if self._text_tail and self._text_tail != "\n":
            self.out.write("\n")
        self.out.flush()
        self._text_tail = ""

    def result(self, result: OpenResponsesResult) -> None:
        """A whole (non-streamed) result."""
        if self.json_mode:
            import json

            self.out.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
            self.out.flush()
            return
        if self.show_reasoning:
            for item in result.to_dict().get("output", []):
                if isinstance(item, dict) and item.get("type") == "reasoning":
                    for text in _reasoning_texts(item):
                        self.reasoning(text, (id(text),))
        self.text(result.output_text)
        self.finish()


def _reasoning_texts(item: dict[str, Any]) -> Iterator[str]:
    # Full reasoning text when the model shares it, else its summary.
    parts = item.get("content") or item.get("summary") or []
    for part in parts:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            yield part["text"]


def format_usage(usage: Usage, label: str = "usage") -> str:
    """``usage: 7 input + 4 output (1 reasoning) = 11 tokens, cost $0.00125``."""
    if not usage.requests_with_usage:
        return f"{label}: not reported by the server"
    line = (
        f"{label}: {usage.input_tokens} input"
        + (f" ({usage.cached_tokens} cached)" if usage.cached_tokens else "")
        + f" + {usage.output_tokens} output"
        + (f" ({usage.reasoning_tokens} reasoning)" if usage.reasoning_tokens else "")
        + f" = {usage.total_tokens} tokens"
    )
    if usage.requests_with_cost:
        line += ", cost $" + f"{usage.cost:.10f}".rstrip("0").rstrip(".")
    if usage.requests > 1:
        line += f" over {usage.requests} requests"
    return line


def wants_color(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return isatty(stream)


def isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False
