"""One function call run by the loop (``ToolExecution``) and the text sent back for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pydantic_core

from openrouter.components import (
    FunctionCallOutputItem,
    InputFile,
    InputImage,
    InputText,
    OutputFunctionCallItem,
)
from openrouter.tools._definition import ArgumentsError

__all__ = ["CallRejected", "ToolExecution", "error_text", "rejection", "to_output"]

_Part = (InputText, InputImage, InputFile)


class CallRejected(Exception):
    """The ``error`` of a ``ToolExecution`` whose call was refused at approval (``reason`` as
    given, or ``None``). Never raised: the model is told, and the run goes on."""

    def __init__(self, call: OutputFunctionCallItem, reason: str | None = None) -> None:
        super().__init__(reason or f"the call of {call.name!r} was refused")
        self.reason = reason


@dataclass(frozen=True)
class ToolExecution:
    """One function call run by the loop: the ``call`` item, the ``output`` sent back, the
    tool's return ``value`` and, if it failed (or was refused at approval), the ``error``.

    Streams of tool runs yield these between turns (``type == "tool.execution"``).
    """

    type: ClassVar[str] = "tool.execution"

    call: OutputFunctionCallItem
    output: str | list[InputText | InputImage | InputFile]
    value: Any = None
    error: Exception | None = None

    @property
    def name(self) -> str:
        return self.call.name

    @property
    def call_id(self) -> str:
        return self.call.call_id

    @property
    def arguments(self) -> str:
        return self.call.arguments

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def rejected(self) -> bool:
        """Whether the call was refused at approval (and so never ran)."""
        return isinstance(self.error, CallRejected)

    def output_item(self) -> FunctionCallOutputItem:
        """The ``function_call_output`` item sent for this call."""
        return FunctionCallOutputItem(call_id=self.call.call_id, output=self.output)


def to_output(value: Any) -> str | list[InputText | InputImage | InputFile]:
    """A tool's return value as a call output: text, content parts, or JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, _Part):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _Part) for v in value):
        return list(value)
    return pydantic_core.to_json(value, fallback=str).decode()


def error_text(call: OutputFunctionCallItem, exc: Exception) -> str:
    if isinstance(exc, ArgumentsError):
        return f"Error: {exc}"
    return f"Error: tool {call.name!r} raised {type(exc).__name__}: {exc}"


def rejection(call: OutputFunctionCallItem, reason: str | None) -> ToolExecution:
    """The execution of a refused call: the model reads that it was not run, and why."""
    text = f"The user refused this call of {call.name!r}; it was not run."
    if reason:
        text += f" Reason: {reason}"
    return ToolExecution(call=call, output=text, error=CallRejected(call, reason))
