"""Function tools from plain Python functions, and the loop that runs them.

::

    def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, object]:
        \"\"\"Current weather for a city.

        Args:
            city: The city name, e.g. "Paris".
            unit: Temperature unit.
        \"\"\"
        return {"city": city, "temperature": 21, "unit": unit}

    result = client.responses.run_tools(model="openai/gpt-4o", input="Weather in Paris?",
                                        tools=[get_weather])
    print(result.output_text, result.usage.cost)

A function becomes a ``function`` tool: its name, the first paragraph of its docstring as the
description, and a JSON schema of its parameters built by pydantic from the type hints (with
per-parameter descriptions from an ``Args:``/``Parameters`` section or ``:param x:`` lines).
The model's ``arguments`` (a JSON string) are validated into those types before the call.
A pydantic model works too (``Tool.from_model(Model, handler)``: the handler gets the
validated model).

The loop (``run_tools`` / ``run_tools_async``, also ``stream=True``) sends the request, runs
every ``function_call`` of the reply, appends the reply's output items and one
``function_call_output`` per call (same ``call_id``) to the history, and sends it all again,
until the model answers without calls (``ToolRunResult``) or ``max_turns`` requests were made
(``MaxTurnsExceededError``, carrying the history). ``run_tools_async`` runs the calls of one
reply concurrently: async tools are awaited, sync tools run in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import re
import typing
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol, Union, overload

import pydantic
import pydantic_core
from pydantic import ConfigDict
from pydantic.fields import FieldInfo

from openrouter._json_schema import strictify, strip_nulls
from openrouter.components import (
    EasyInputMessage,
    FunctionCallOutputItem,
    FunctionTool,
    InputFile,
    InputImage,
    InputText,
    OpenResponsesResult,
    OutputFunctionCallItem,
    StreamEvents,
    TextDeltaEvent,
)
from openrouter.errors import (
    MaxTurnsExceededError,
    ToolCallError,
    ToolRunIncompleteError,
    incomplete_reason,
    raise_if_failed,
)
from openrouter.usage import Usage

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self, Unpack

    from openrouter._params import ResponsesSendParams
    from openrouter._streaming import EventStream, EventStreamAsync

__all__ = [
    "ArgumentsError",
    "OnToolError",
    "Tool",
    "ToolExecution",
    "ToolLike",
    "ToolRun",
    "ToolRunResult",
    "ToolRunStream",
    "ToolRunStreamAsync",
    "parse_docstring",
    "tool",
    "tool_definitions",
]

ToolLike: TypeAlias = Union["Tool", Callable[..., Any], Mapping[str, Any], pydantic.BaseModel]
"""What ``tools=`` takes: functions, ``Tool`` objects, and (sent as they are, never run here)
server-tool definitions such as ``{"type": "openrouter:web_search"}`` or typed components."""

OnToolError: TypeAlias = (
    Literal["send", "raise"] | Callable[[OutputFunctionCallItem, Exception], str]
)
"""What to do when a tool raises or gets invalid arguments: ``"send"`` the error text to the
model (it can retry or explain), ``"raise"`` ``ToolCallError``, or a function that returns the
text to send."""

_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_Part = (InputText, InputImage, InputFile)


# --- Docstrings -------------------------------------------------------------------------------

_GOOGLE_HEADER = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments|other parameters)\s*:$",
    re.I,
)
_OTHER_HEADER = re.compile(
    r"^(returns?|yields?|raises|examples?|notes?|see also|attributes|warnings?|references|"
    r"todo|methods)\s*:?$",
    re.I,
)
_UNDERLINE = re.compile(r"^-{3,}$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?\*{0,2}(\w+)\s*:\s*(.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """(summary, {parameter: description}) of a Google, NumPy or Sphinx style docstring.

    The summary is the first paragraph, on one line.
    """
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if (
            not text
            or _GOOGLE_HEADER.match(text)
            or _OTHER_HEADER.match(text)
            or text.startswith(":")
            or _UNDERLINE.match(next_line)
        ):
            break
        summary.append(text)

    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        sphinx = _SPHINX_PARAM.match(text)
        if sphinx:
            base = _indent(lines[i])
            parts = [sphinx.group(2).strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) > base:
                parts.append(lines[i].strip())
                i += 1
            params[sphinx.group(1)] = " ".join(p for p in parts if p)
            continue
        numpy = (
            i + 1 < len(lines)
            and _UNDERLINE.match(lines[i + 1].strip())
            and text.lower() in ("parameters", "other parameters", "params", "args", "arguments")
        )
        if _GOOGLE_HEADER.match(text):
            i = _google_block(lines, i, params)
        elif numpy:
            i = _numpy_block(lines, i, params)
        else:
            i += 1
    return (" ".join(summary) or None), params


def _google_block(lines: list[str], start: int, params: dict[str, str]) -> int:
    header = _indent(lines[start])
    i = start + 1
    entry_indent: int | None = None
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = _indent(line)
        if indent <= header:
            break
        if entry_indent is None:
            entry_indent = indent
        match = _GOOGLE_ENTRY.match(line.strip()) if indent <= entry_indent else None
        if match:
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
        i += 1
    return i


def _numpy_block(lines: list[str], start: int, params: dict[str, str]) -> int:
    header = _indent(lines[start])
    i = start + 2
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        text = line.strip()
        if not text:
            i += 1
            continue
        if i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1].strip()):
            break  # the next section
        if _indent(line) <= header:
            match = _NUMPY_ENTRY.match(text)
            if not match:
                break
            current = match.group(1)
            params[current] = ""
        elif current is not None:
            params[current] = f"{params[current]} {text}".strip()
        i += 1
    return i


# --- Tools ------------------------------------------------------------------------------------


def _is_async_callable(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - async callable objects
    )


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated titles (noise the model pays tokens for)."""
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)
    return schema


class Tool:
    """A function tool: its definition (``definition``) and how to run it.

    Build one with ``Tool.from_function(fn)`` (or the ``@tool`` decorator, or just pass the
    function in ``tools=``) or ``Tool.from_model(Model, handler)``. A ``Tool`` is callable like
    the function it wraps.
    """

    __slots__ = (
        "_added",
        "_aliases",
        "_positional",
        "args_model",
        "description",
        "fn",
        "is_async",
        "name",
        "parameters",
        "strict",
        "takes_model",
    )

    def __init__(
        self,
        *,
        name: str,
        description: str | None,
        parameters: dict[str, Any],
        args_model: type[pydantic.BaseModel],
        fn: Callable[..., Any] | None,
        strict: bool,
        takes_model: bool,
        aliases: Mapping[str, str] | None = None,
        positional: SequenceABC[str] = (),
    ) -> None:
        if not _NAME_RE.match(name):
            raise ValueError(
                f"Tool name {name!r} must be 1-64 letters, digits, '_' or '-'; pass name=..."
            )
        self.name = name
        self.description = description
        self.args_model = args_model
        self.fn = fn
        self.strict = strict
        self.takes_model = takes_model
        self.is_async = fn is not None and _is_async_callable(fn)
        self._aliases = dict(aliases or {})  # field name -> parameter name
        self._positional = tuple(positional)
        self._added: dict[int, frozenset[str]] = {}
        if strict:
            parameters, self._added = strictify(parameters)
        self.parameters = parameters

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool = False,
    ) -> Tool:
        """A tool from a function's signature, type hints and docstring.

        ``strict=True`` sends ``strict: true`` with a strict-compatible schema (see
        ``structured.to_strict_json_schema``). Parameters without a type hint accept any JSON.
        """
        if not callable(fn):
            raise TypeError(f"Expected a function, got {type(fn).__name__}")
        base: Any = fn
        while isinstance(base, functools.partial):
            base = base.func
        target = base
        if not (inspect.isfunction(base) or inspect.ismethod(base) or inspect.isbuiltin(base)):
            target = base.__call__  # a callable object: its __call__ has the hints
        tool_name = str(name or getattr(base, "__name__", None) or type(base).__name__)
        signature = inspect.signature(fn)
        try:
            hints = typing.get_type_hints(target, include_extras=True)
        except Exception as exc:
            raise TypeError(
                f"Cannot resolve the type hints of tool {tool_name!r} ({exc}); types used in "
                "annotations must be importable from the function's module"
            ) from exc
        summary, arg_docs = parse_docstring(inspect.getdoc(fn))
        fields: dict[str, Any] = {}
        aliases: dict[str, str] = {}
        positional: list[str] = []
        for index, param in enumerate(signature.parameters.values()):
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise TypeError(
                    f"Tool {tool_name!r}: *args / **kwargs cannot be described to the model"
                )
            annotation = hints.get(param.name, Any)
            doc = arg_docs.get(param.name)
            if isinstance(param.default, FieldInfo):
                # ``x: int = Field(3, ge=0)``: keep the user's field, add the alias (and the
                # docstring's description unless the field has its own).
                annotation = Annotated[annotation, param.default]
                doc = None if param.default.description else doc
                info = pydantic.Field(alias=param.name, description=doc)
            else:
                default = ... if param.default is param.empty else param.default
                info = pydantic.Field(default, alias=param.name, description=doc)
            # Fields get neutral names with the parameter name as alias, so parameters such
            # as ``json`` or ``schema`` do not collide with BaseModel attributes.
            field_name = f"p{index}"
            fields[field_name] = (annotation, info)
            aliases[field_name] = param.name
            if param.kind is param.POSITIONAL_ONLY:
                positional.append(field_name)
        try:
            args_model = pydantic.create_model(
                f"{tool_name}_arguments",
                __config__=ConfigDict(extra="forbid", populate_by_name=False),
                **fields,
            )
            schema = _clean_schema(args_model.model_json_schema())
        except (pydantic.PydanticUserError, pydantic.PydanticSchemaGenerationError) as exc:
            raise TypeError(
                f"Tool {tool_name!r}: its parameters cannot be described as JSON schema ({exc})"
            ) from exc
        schema.pop("description", None)
        return cls(
            name=tool_name,
            description=description if description is not None else summary,
            parameters=schema,
            args_model=args_model,
            fn=fn,
            strict=strict,
            takes_model=False,
            aliases=aliases,
            positional=positional,
        )

    @classmethod
    def from_model(
        cls,
        model: type[pydantic.BaseModel],
        handler: Callable[[Any], Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool = False,
    ) -> Tool:
        """A tool whose parameters are a pydantic model's fields.

        ``handler`` receives the validated model instance. Without one the tool can still be
        sent (``definition``) and its arguments parsed (``parse_arguments``), but not run.
        The description defaults to the model's docstring (first paragraph).
        """
        schema = _clean_schema(model.model_json_schema())
        summary, _ = parse_docstring(model.__doc__ if "__doc__" in vars(model) else None)
        schema.pop("description", None)
        return cls(
            name=name or model.__name__,
            description=description if description is not None else summary,
            parameters=schema,
            args_model=model,
            fn=handler,
            strict=strict,
            takes_model=True,
        )

    @classmethod
    def of(cls, obj: Tool | Callable[..., Any] | type[pydantic.BaseModel]) -> Tool:
        """``obj`` as a ``Tool``: a ``Tool`` as is, a pydantic model class via ``from_model``,
        any other callable via ``from_function``."""
        if isinstance(obj, Tool):
            return obj
        # Building the schema costs ~0.5 ms; a Conversation rebuilds its tools every turn.
        try:
            cached = _TOOL_CACHE.get(obj)
        except TypeError:  # unhashable or not weak-referenceable: no caching
            cached = None
        if cached is not None:
            return cached
        if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
            made = cls.from_model(obj)
        else:
            made = cls.from_function(obj)
        with contextlib.suppress(TypeError):
            _TOOL_CACHE[obj] = made
        return made

    # -- definition ------------------------------------------------------------------------

    @property
    def definition(self) -> FunctionTool:
        """The ``function`` tool definition to send (``tools=[tool.definition]``)."""
        extra: dict[str, Any] = {}
        if self.description:
            extra["description"] = self.description
        if self.strict:
            extra["strict"] = True
        return FunctionTool(name=self.name, parameters=self.parameters, **extra)

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON (so a ``Tool`` can be put in ``send(tools=[...])`` as is)."""
        return self.definition.to_dict()

    # -- running ---------------------------------------------------------------------------

    def parse_arguments(self, arguments: str | Mapping[str, Any]) -> pydantic.BaseModel:
        """Validate the model's ``arguments`` (JSON text, as in a ``function_call``)."""
        if not isinstance(arguments, str):
            return self.args_model.model_validate(dict(arguments))
        text = arguments.strip() or "{}"  # some providers send "" for no arguments
        if self._added:
            data = json.loads(text)
            if strip_nulls(data, self.parameters, self.parameters, self._added):
                text = json.dumps(data)
        return self.args_model.model_validate_json(text)

    def _call_with(self, parsed: pydantic.BaseModel) -> Any:
        fn = self.fn
        if fn is None:
            raise TypeError(f"Tool {self.name!r} has no function to run (no handler given)")
        if self.takes_model:
            return fn(parsed)
        args = [getattr(parsed, f) for f in self._positional]
        kwargs = {
            self._aliases[f]: getattr(parsed, f)
            for f in parsed.model_fields_set
            if f not in self._positional
        }
        return fn(*args, **kwargs)

    def checked_arguments(self, call: OutputFunctionCallItem) -> pydantic.BaseModel:
        """``parse_arguments(call.arguments)``, failing with ``ArgumentsError``."""
        try:
            return self.parse_arguments(call.arguments)
        except pydantic.ValidationError as exc:
            raise ArgumentsError(f"invalid arguments for tool {self.name!r}: {exc}") from exc
        except ValueError as exc:  # json.JSONDecodeError (strict tools decode first)
            raise ArgumentsError(
                f"the arguments of tool {self.name!r} are not valid JSON: {exc}"
            ) from exc

    def run(self, parsed: pydantic.BaseModel) -> Any:
        """Run the tool with parsed arguments; an async tool is run to completion."""
        value = self._call_with(parsed)
        if inspect.isawaitable(value):
            value = _run_awaitable(value)
        return value

    async def arun(self, parsed: pydantic.BaseModel) -> Any:
        """Run the tool with parsed arguments: awaited if async, else in a worker thread."""
        import anyio.to_thread

        if self.is_async:
            value = self._call_with(parsed)
        else:
            value = await anyio.to_thread.run_sync(self._call_with, parsed)
        if inspect.isawaitable(value):
            value = await value
        return value

    def invoke(self, arguments: str | Mapping[str, Any]) -> Any:
        """Parse ``arguments`` (JSON text or a dict) and run the tool."""
        return self.run(self.parse_arguments(arguments))

    async def ainvoke(self, arguments: str | Mapping[str, Any]) -> Any:
        """The async form of ``invoke`` (a sync tool runs in a worker thread)."""
        return await self.arun(self.parse_arguments(arguments))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fn is None:
            raise TypeError(f"Tool {self.name!r} has no function to call")
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, description={self.description!r})"


_TOOL_CACHE: weakref.WeakKeyDictionary[Any, Tool] = weakref.WeakKeyDictionary()


def _run_awaitable(value: Any) -> Any:
    async def wait() -> Any:
        return await value

    return asyncio.run(wait())


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None, strict: bool = False
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = False,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Decorator: ``@tool`` or ``@tool(name=..., description=..., strict=True)``. The result
    is a ``Tool`` that is still callable like the function."""
    if fn is not None:
        return Tool.from_function(fn, name=name, description=description, strict=strict)

    def decorate(func: Callable[..., Any]) -> Tool:
        return Tool.from_function(func, name=name, description=description, strict=strict)

    return decorate


def tool_definitions(tools: SequenceABC[ToolLike]) -> list[Any]:
    """The ``tools=`` value for ``send``: functions and ``Tool``s become ``FunctionTool``
    definitions, anything else (server tools, dicts) is kept."""
    return _split_tools(tools)[1]


def _split_tools(tools: SequenceABC[ToolLike]) -> tuple[dict[str, Tool], list[Any]]:
    registry: dict[str, Tool] = {}
    definitions: list[Any] = []
    for entry in tools:
        if isinstance(entry, (Mapping, pydantic.BaseModel)):
            # A definition to send as is (a server tool such as openrouter:web_search). A bare
            # function definition would be called with nothing here to answer it.
            if _field(entry, "type") == "function":
                raise TypeError(
                    f"Function tool {_field(entry, 'name')!r} is only a definition: pass the "
                    "Python function (or a Tool) so the loop can run it"
                )
            definitions.append(entry)
            continue
        tool_obj = Tool.of(entry)
        if tool_obj.name in registry:
            raise ValueError(f"Two tools are named {tool_obj.name!r}")
        registry[tool_obj.name] = tool_obj
        definitions.append(tool_obj.definition)
    return registry, definitions


# --- Executions and results -------------------------------------------------------------------


@dataclass(frozen=True)
class ToolExecution:
    """One function call run by the loop: the ``call`` item, the ``output`` sent back, the
    tool's return ``value`` and, if it failed, the ``error``.

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

    def output_item(self) -> FunctionCallOutputItem:
        """The ``function_call_output`` item sent for this call."""
        return FunctionCallOutputItem(call_id=self.call.call_id, output=self.output)


@dataclass
class ToolRunResult:
    """The outcome of a tool run.

    ``response`` is the final answer, ``responses`` every response (one per turn), ``items``
    the whole history (the input, every output item, every ``function_call_output``; send it
    as ``input`` to go on), ``executions`` every tool call run, ``usage`` the total over all
    turns.
    """

    response: OpenResponsesResult
    responses: list[OpenResponsesResult]
    items: list[Any]
    executions: list[ToolExecution]
    usage: Usage
    new_items: list[Any] = field(default_factory=list)
    """The items added by the run (everything after the input)."""

    @property
    def output_text(self) -> str:
        return self.response.output_text


def _to_output(value: Any) -> str | list[InputText | InputImage | InputFile]:
    if isinstance(value, str):
        return value
    if isinstance(value, _Part):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _Part) for v in value):
        return list(value)
    return pydantic_core.to_json(value, fallback=str).decode()


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def as_items(input: Any) -> list[Any]:
    """``input`` as a list of items: a string is one user message."""
    if isinstance(input, str):
        return [EasyInputMessage(role="user", content=input)]
    if isinstance(input, (Mapping, pydantic.BaseModel)):
        return [input]
    return list(input)


def unanswered_calls(items: SequenceABC[Any]) -> list[OutputFunctionCallItem]:
    """The ``function_call`` items of ``items`` that no ``function_call_output`` answers."""
    answered = {
        _field(item, "call_id") for item in items if _field(item, "type") == "function_call_output"
    }
    pending = []
    for item in items:
        if _field(item, "type") == "function_call" and _field(item, "call_id") not in answered:
            if isinstance(item, OutputFunctionCallItem):
                pending.append(item)
            else:
                data = item if isinstance(item, Mapping) else item.to_dict()
                pending.append(OutputFunctionCallItem.model_validate(dict(data)))
    return pending


class ArgumentsError(ValueError):
    """The model's arguments for a tool are not valid JSON or do not match its parameters
    (the ``json.JSONDecodeError`` or ``pydantic.ValidationError`` is ``__cause__``)."""


def _error_text(call: OutputFunctionCallItem, exc: Exception) -> str:
    if isinstance(exc, ArgumentsError):
        return f"Error: {exc}"
    return f"Error: tool {call.name!r} raised {type(exc).__name__}: {exc}"


class ToolRun:
    """The state of one tool run, without I/O: the sync, async and streaming drivers share it.

    Exposed for building your own driver: ``request()`` gives the ``send`` keyword arguments,
    ``accept(response)`` records a response and returns the calls to run (``None`` when the
    model has answered), ``execute``/``execute_async`` run calls, ``result()`` the outcome.
    """

    def __init__(
        self,
        tools: SequenceABC[ToolLike],
        input: Any,
        *,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        if on_tool_error not in ("send", "raise") and not callable(on_tool_error):
            raise ValueError("on_tool_error must be 'send', 'raise' or a function")
        self.registry, definitions = _split_tools(tools)
        missing = [t.name for t in self.registry.values() if t.fn is None]
        if missing:
            raise TypeError(f"These tools have no function to run: {', '.join(missing)}")
        self.max_turns = max_turns
        self.on_tool_error = on_tool_error
        self.params = dict(params or {})
        if definitions:
            self.params["tools"] = definitions
        self.items = as_items(input)
        self.start = len(self.items)
        self.responses: list[OpenResponsesResult] = []
        self.executions: list[ToolExecution] = []
        self.usage = Usage()

    def request(self) -> dict[str, Any]:
        return {**self.params, "input": list(self.items)}

    def pending(self) -> list[OutputFunctionCallItem]:
        return unanswered_calls(self.items)

    def _state(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "responses": list(self.responses),
            "executions": list(self.executions),
            "usage": self.usage,
        }

    def accept(self, response: OpenResponsesResult) -> list[OutputFunctionCallItem] | None:
        raise_if_failed(response)
        self.responses.append(response)
        self.usage = self.usage + Usage.of(response)
        self.items.extend(response.output)
        if response.status == "incomplete":
            reason = incomplete_reason(response)
            raise ToolRunIncompleteError(
                f"Turn {len(self.responses)} of the tool run is incomplete "
                f"({reason or 'no reason given'}); no tool was run",
                response=response,
                reason=reason,
                **self._state(),
            )
        calls = [item for item in response.output if isinstance(item, OutputFunctionCallItem)]
        if not calls:
            return None
        if len(self.responses) >= self.max_turns:
            names = ", ".join(c.name for c in calls)
            raise MaxTurnsExceededError(
                f"The model still called tools ({names}) after max_turns={self.max_turns} "
                "requests; those calls were not run",
                max_turns=self.max_turns,
                pending_calls=calls,
                **self._state(),
            )
        return calls

    # -- executing -------------------------------------------------------------------------

    def _failed(self, call: OutputFunctionCallItem, exc: Exception) -> ToolExecution:
        handler = self.on_tool_error
        if handler == "raise":
            raise ToolCallError(
                f"Tool {call.name!r} failed: {type(exc).__name__}: {exc}",
                call=call,
                **self._state(),
            ) from exc
        text = handler(call, exc) if callable(handler) else _error_text(call, exc)
        return ToolExecution(call=call, output=text, error=exc)

    def _lookup(self, call: OutputFunctionCallItem) -> Tool | ToolExecution:
        found = self.registry.get(call.name)
        if found is not None:
            return found
        known = ", ".join(sorted(self.registry)) or "none"
        error = LookupError(f"unknown tool {call.name!r}")
        text = f"Error: there is no tool named {call.name!r}. Available tools: {known}."
        return ToolExecution(call=call, output=text, error=error)

    def execute_one(self, call: OutputFunctionCallItem) -> ToolExecution:
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = found.run(found.checked_arguments(call))
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=_to_output(value), value=value)

    async def execute_one_async(self, call: OutputFunctionCallItem) -> ToolExecution:
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = await found.arun(found.checked_arguments(call))
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=_to_output(value), value=value)

    def record(self, execution: ToolExecution) -> None:
        self.executions.append(execution)
        self.items.append(execution.output_item())

    def execute(self, calls: SequenceABC[OutputFunctionCallItem]) -> Iterator[ToolExecution]:
        """Run the calls one after the other, recording each; yields each when done."""
        for call in calls:
            execution = self.execute_one(call)
            self.record(execution)
            yield execution

    async def execute_async(
        self, calls: SequenceABC[OutputFunctionCallItem]
    ) -> list[ToolExecution]:
        """Run the calls concurrently; record them in call order once all are done."""
        import anyio

        results: list[ToolExecution | None] = [None] * len(calls)
        failure: list[ToolCallError] = []

        async def run(index: int, call: OutputFunctionCallItem) -> None:
            try:
                results[index] = await self.execute_one_async(call)
            except ToolCallError as exc:  # on_tool_error="raise": let the others finish
                failure.append(exc)

        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
        done = [r for r in results if r is not None]
        for execution in done:
            self.record(execution)
        if failure:
            error = failure[0]
            # Raised inside a task, before the other calls were recorded: bring it up to date.
            for key, value in self._state().items():
                setattr(error, key, value)
            raise error
        return done

    def result(self) -> ToolRunResult:
        return ToolRunResult(
            response=self.responses[-1],
            responses=list(self.responses),
            items=list(self.items),
            executions=list(self.executions),
            usage=self.usage,
            new_items=list(self.items[self.start :]),
        )

    def check_sync_tools(self) -> None:
        """An async tool in a sync run needs its own event loop, which a running one forbids."""
        if any(t.is_async for t in self.registry.values()):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return
            raise RuntimeError(
                "run_tools() with async tools was called inside a running event loop; "
                "use run_tools_async()"
            )


# --- Drivers ----------------------------------------------------------------------------------


class Send(Protocol):
    """Sends one request: the result, or with ``stream=True`` its ``EventStream``."""

    @overload
    def __call__(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    def __call__(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStream[StreamEvents]: ...
    @overload
    def __call__(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStream[StreamEvents]: ...


class SendAsync(Protocol):
    """The async form of ``Send``."""

    @overload
    async def __call__(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    async def __call__(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStreamAsync[StreamEvents]: ...
    @overload
    async def __call__(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStreamAsync[StreamEvents]: ...


def drive(send: Send, run: ToolRun) -> ToolRunResult:
    """The sync loop."""
    run.check_sync_tools()
    for _ in run.execute(run.pending()):
        pass
    while True:
        calls = run.accept(send(**run.request()))
        if calls is None:
            return run.result()
        for _ in run.execute(calls):
            pass


async def drive_async(send_async: SendAsync, run: ToolRun) -> ToolRunResult:
    """The async loop: the calls of one reply run concurrently."""
    pending = run.pending()
    if pending:
        await run.execute_async(pending)
    while True:
        calls = run.accept(await send_async(**run.request()))
        if calls is None:
            return run.result()
        await run.execute_async(calls)


ToolRunEvent: TypeAlias = StreamEvents | ToolExecution


class _RunStreamBase:
    _result: ToolRunResult | None
    _on_result: Callable[[ToolRunResult], None] | None

    def _finished(self, result: ToolRunResult) -> None:
        if self._on_result is not None:
            self._on_result(result)
        self._result = result

    @property
    def result(self) -> ToolRunResult:
        """The outcome, once the stream has been read to the end."""
        if self._result is None:
            raise RuntimeError(
                "The tool run has not finished: iterate it or call get_final_result()"
            )
        return self._result


class ToolRunStream(_RunStreamBase):
    """``run_tools(..., stream=True)``: the events of every turn, and a ``ToolExecution`` after
    each tool call. Ends when the model answers; then ``result`` holds the ``ToolRunResult``."""

    def __init__(
        self,
        send: Send,
        run: ToolRun,
        on_result: Callable[[ToolRunResult], None] | None = None,
    ) -> None:
        self._send = send
        self._run = run
        self._on_result = on_result
        self._result = None
        self._events = self._iterate()

    def _iterate(self) -> Generator[ToolRunEvent, None, None]:
        run = self._run
        run.check_sync_tools()
        yield from run.execute(run.pending())
        while True:
            with self._send(stream=True, **run.request()) as stream:
                yield from stream
                final = stream.get_final_response()
            calls = run.accept(final)
            if calls is None:
                break
            yield from run.execute(calls)
        self._finished(run.result())

    def __iter__(self) -> Iterator[ToolRunEvent]:
        return self._events

    def __next__(self) -> ToolRunEvent:
        return next(self._events)

    def text_deltas(self) -> Iterator[str]:
        """The text of every turn, as it arrives."""
        for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

    def get_final_result(self) -> ToolRunResult:
        for _ in self._events:
            pass
        return self.result

    def get_final_response(self) -> OpenResponsesResult:
        return self.get_final_result().response

    def close(self) -> None:
        """Stop: the current request's connection is dropped, no further tool is run."""
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ToolRunStreamAsync(_RunStreamBase):
    """The async form of ``ToolRunStream`` (calls of one reply run concurrently)."""

    def __init__(
        self,
        send_async: SendAsync,
        run: ToolRun,
        on_result: Callable[[ToolRunResult], None] | None = None,
    ) -> None:
        self._send_async = send_async
        self._run = run
        self._on_result = on_result
        self._result = None
        self._events = self._iterate()

    async def _iterate(self) -> AsyncGenerator[ToolRunEvent, None]:
        run = self._run
        pending = run.pending()
        if pending:
            for execution in await run.execute_async(pending):
                yield execution
        while True:
            stream = await self._send_async(stream=True, **run.request())
            async with stream:
                async for event in stream:
                    yield event
                final = await stream.get_final_response()
            calls = run.accept(final)
            if calls is None:
                break
            for execution in await run.execute_async(calls):
                yield execution
        self._finished(run.result())

    def __aiter__(self) -> AsyncIterator[ToolRunEvent]:
        return self._events

    async def __anext__(self) -> ToolRunEvent:
        return await self._events.__anext__()

    async def text_deltas(self) -> AsyncIterator[str]:
        """The text of every turn, as it arrives."""
        async for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

    async def get_final_result(self) -> ToolRunResult:
        async for _ in self._events:
            pass
        return self.result

    async def get_final_response(self) -> OpenResponsesResult:
        return (await self.get_final_result()).response

    async def aclose(self) -> None:
        """Stop: the current request's connection is dropped, no further tool is run."""
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
