"""A function tool: its definition (name, description, JSON schema of its parameters) and
how to validate the model's arguments and run it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import re
import typing
import weakref
from collections.abc import Callable, Mapping
from collections.abc import Sequence as SequenceABC
from typing import TYPE_CHECKING, Annotated, Any, Union, overload

import pydantic
from pydantic import ConfigDict
from pydantic.fields import FieldInfo

from openrouter._json_schema import strictify, strip_nulls
from openrouter.components import FunctionTool, OutputFunctionCallItem
from openrouter.tools._docstrings import parse_docstring

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = [
    "ApprovalRule",
    "ArgumentsError",
    "Tool",
    "ToolLike",
    "item_field",
    "split_tools",
    "tool",
    "tool_definitions",
]

ToolLike: TypeAlias = Union["Tool", Callable[..., Any], Mapping[str, Any], pydantic.BaseModel]
"""What ``tools=`` takes: functions, ``Tool`` objects, and (sent as they are, never run here)
server-tool definitions such as ``{"type": "openrouter:web_search"}`` or typed components."""

ApprovalRule: TypeAlias = bool | Callable[[Any], bool]
"""``requires_approval``: ``True`` (every call waits for a decision), ``False``, or a predicate
on the validated arguments (a dict by parameter name; a ``from_model`` tool's model instance)."""

_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

# Context objects of these types would be mistaken for ordinary arguments (``city: str``).
_PLAIN_TYPES = (str, bytes, int, float, bool, list, dict, tuple, set, frozenset, type(None))


class ArgumentsError(ValueError):
    """The model's arguments for a tool are not valid JSON or do not match its parameters
    (the ``json.JSONDecodeError`` or ``pydantic.ValidationError`` is ``__cause__``).

    The message is what the model gets back, so it stays short: ``Invalid arguments for
    get_weather: city: Field required`` (at most three problems, no links or input dumps)."""


def _is_async_callable(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - async callable objects
    )


def _is_context_annotation(annotation: Any, context_type: type | None) -> bool:
    """Whether a parameter annotated ``annotation`` receives a context of ``context_type``."""
    if context_type is None:
        return False
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return (
        isinstance(annotation, type)
        and annotation is not object
        and annotation not in _PLAIN_TYPES
        and issubclass(context_type, annotation)
    )


def check_context(context: Any) -> type | None:
    """The type tools match their context parameters against (``None`` without a context)."""
    if context is None:
        return None
    if isinstance(context, _PLAIN_TYPES):
        raise TypeError(
            f"context= must be an object of your own class (a dataclass works), not "
            f"{type(context).__name__}: tool parameters are matched to it by their type"
        )
    return type(context)


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
        "_bound",
        "_context_names",
        "_positional",
        "args_model",
        "context_type",
        "description",
        "fn",
        "is_async",
        "name",
        "parameters",
        "requires_approval",
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
        positional: SequenceABC[str | None] = (),
        requires_approval: ApprovalRule = False,
        context_type: type | None = None,
        context_names: SequenceABC[str] = (),
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
        # Positional-only parameters in order: a field name, or None for the context.
        self._positional = tuple(positional)
        self._context_names = tuple(context_names)  # keyword parameters given the context
        self.context_type = context_type
        """The type of context this tool's context parameters take (``None``: no context)."""
        if not (isinstance(requires_approval, bool) or callable(requires_approval)):
            raise TypeError("requires_approval must be a bool or a function of the arguments")
        self.requires_approval = requires_approval
        self._bound: dict[type, Tool] = {}
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
        requires_approval: ApprovalRule = False,
        context_type: type | None = None,
    ) -> Tool:
        """A tool from a function's signature, type hints and docstring.

        ``strict=True`` sends ``strict: true`` with a strict-compatible schema (see
        ``structured.to_strict_json_schema``). Every parameter needs a type hint (``Any``
        accepts any JSON): without one the model would be told nothing about it.
        ``requires_approval``: see ``ApprovalRule``. Parameters annotated with
        ``context_type`` (or a base class of it) receive the run's ``context=`` object and are
        left out of the schema; the loop finds them by itself for plain functions, so
        ``context_type`` is only needed when the tool is built before the run.
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
        positional: list[str | None] = []
        context_names: list[str] = []
        for index, param in enumerate(signature.parameters.values()):
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise TypeError(
                    f"Tool {tool_name!r}: *args / **kwargs cannot be described to the model"
                )
            if param.name not in hints:
                raise TypeError(_missing_hint(tool_name, param.name, index))
            annotation = hints[param.name]
            if _is_context_annotation(annotation, context_type):
                if param.kind is param.POSITIONAL_ONLY:
                    positional.append(None)
                else:
                    context_names.append(param.name)
                continue
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
            requires_approval=requires_approval,
            context_type=context_type if (context_names or None in positional) else None,
            context_names=context_names,
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
        requires_approval: ApprovalRule = False,
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
            requires_approval=requires_approval,
        )

    @classmethod
    def of(
        cls,
        obj: Tool | Callable[..., Any] | type[pydantic.BaseModel],
        context_type: type | None = None,
    ) -> Tool:
        """``obj`` as a ``Tool``: a ``Tool`` as is, a pydantic model class via ``from_model``,
        any other callable via ``from_function``. With ``context_type``, parameters of that
        type are context parameters (see ``from_function``)."""
        if isinstance(obj, Tool):
            return obj.for_context(context_type)
        if context_type is not None and not isinstance(obj, type):
            return _with_context(obj, context_type)
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

    def for_context(self, context_type: type | None) -> Tool:
        """This tool for a run whose context is of ``context_type``: the same tool, or one
        rebuilt from the function with the parameters of that type left out of the schema."""
        if context_type is None or self.fn is None or self.takes_model:
            return self
        if self.context_type is not None:
            if issubclass(context_type, self.context_type):
                return self
            raise TypeError(
                f"Tool {self.name!r} takes a context of type {self.context_type.__name__}, "
                f"but the run's context is a {context_type.__name__}"
            )
        bound = self._bound.get(context_type)
        if bound is None:
            bound = Tool.from_function(
                self.fn,
                name=self.name,
                description=self.description,
                strict=self.strict,
                requires_approval=self.requires_approval,
                context_type=context_type,
            )
            if bound.context_type is None:
                bound = self  # no parameter takes it
            self._bound[context_type] = bound
        return bound

    def needs_approval(self, call: OutputFunctionCallItem) -> bool:
        """Whether ``call`` waits for an approval decision before it runs. Arguments that do
        not validate need none: such a call is answered with the error and runs nothing."""
        rule = self.requires_approval
        if isinstance(rule, bool):
            return rule
        try:
            parsed = self.checked_arguments(call)
        except ArgumentsError:
            return False
        if self.takes_model:
            return bool(rule(parsed))
        return bool(rule({self._aliases[f]: getattr(parsed, f) for f in type(parsed).model_fields}))

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

    def _call_with(self, parsed: pydantic.BaseModel, context: Any = None) -> Any:
        fn = self.fn
        if fn is None:
            raise TypeError(f"Tool {self.name!r} has no function to run (no handler given)")
        if self.takes_model:
            return fn(parsed)
        args = [context if f is None else getattr(parsed, f) for f in self._positional]
        kwargs = {
            self._aliases[f]: getattr(parsed, f)
            for f in parsed.model_fields_set
            if f not in self._positional
        }
        for name in self._context_names:
            kwargs[name] = context
        return fn(*args, **kwargs)

    def checked_arguments(self, call: OutputFunctionCallItem) -> pydantic.BaseModel:
        """``parse_arguments(call.arguments)``, failing with ``ArgumentsError``."""
        try:
            return self.parse_arguments(call.arguments)
        except pydantic.ValidationError as exc:
            raise ArgumentsError(
                f"Invalid arguments for {self.name}: {_short_errors(exc)}"
            ) from exc
        except ValueError as exc:  # json.JSONDecodeError (strict tools decode first)
            raise ArgumentsError(f"Invalid arguments for {self.name}: Invalid JSON: {exc}") from exc

    def run(self, parsed: pydantic.BaseModel, context: Any = None) -> Any:
        """Run the tool with parsed arguments (and the run's context for its context
        parameters); an async tool is run to completion."""
        value = self._call_with(parsed, context)
        if inspect.isawaitable(value):
            value = _run_awaitable(value)
        return value

    async def arun(self, parsed: pydantic.BaseModel, context: Any = None) -> Any:
        """Run the tool with parsed arguments: awaited if async, else in a worker thread."""
        import anyio.to_thread

        if self.is_async:
            value = self._call_with(parsed, context)
        else:
            value = await anyio.to_thread.run_sync(self._call_with, parsed, context)
        if inspect.isawaitable(value):
            value = await value
        return value

    def invoke(self, arguments: str | Mapping[str, Any], context: Any = None) -> Any:
        """Parse ``arguments`` (JSON text or a dict) and run the tool."""
        return self.run(self.parse_arguments(arguments), context)

    async def ainvoke(self, arguments: str | Mapping[str, Any], context: Any = None) -> Any:
        """The async form of ``invoke`` (a sync tool runs in a worker thread)."""
        return await self.arun(self.parse_arguments(arguments), context)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fn is None:
            raise TypeError(f"Tool {self.name!r} has no function to call")
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, description={self.description!r})"


_TOOL_CACHE: weakref.WeakKeyDictionary[Any, Tool] = weakref.WeakKeyDictionary()
_CONTEXT_CACHE: weakref.WeakKeyDictionary[Any, dict[type, Tool]] = weakref.WeakKeyDictionary()


def _with_context(fn: Callable[..., Any], context_type: type) -> Tool:
    """``Tool.from_function(fn, context_type=...)``, cached like ``Tool.of``."""
    try:
        by_type = _CONTEXT_CACHE.setdefault(fn, {})
    except TypeError:
        by_type = {}
    made = by_type.get(context_type)
    if made is None:
        made = by_type[context_type] = Tool.from_function(fn, context_type=context_type)
    return made


def _missing_hint(tool_name: str, param: str, index: int) -> str:
    if index == 0 and param in ("self", "cls"):
        return (
            f"Tool {tool_name!r}: its first parameter is {param!r}; pass the bound method "
            "(instance.method or Class.method for a classmethod), not the plain function"
        )
    return (
        f"Tool {tool_name!r}: parameter {param!r} has no type hint, so the model would not know "
        f"what to send; annotate it (for example {param}: str, or {param}: Any for any JSON)"
    )


def _short_errors(exc: pydantic.ValidationError, limit: int = 3) -> str:
    """What the model needs to fix its call, without pydantic's links and input dumps:
    ``city: Field required; unit: Input should be 'c' or 'f'``."""
    details = exc.errors(include_url=False, include_context=False, include_input=False)
    parts = []
    for error in details[:limit]:
        message = error["msg"]
        if len(message) > 200:
            message = message[:199] + "…"
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {message}" if where else message)
    if len(details) > limit:
        parts.append(f"and {len(details) - limit} more")
    return "; ".join(parts)


def _run_awaitable(value: Any) -> Any:
    async def wait() -> Any:
        return await value

    return asyncio.run(wait())


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...
@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = False,
    requires_approval: ApprovalRule = False,
    context_type: type | None = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = False,
    requires_approval: ApprovalRule = False,
    context_type: type | None = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Decorator: ``@tool`` or ``@tool(name=..., description=..., strict=True,
    requires_approval=..., context_type=...)`` (see ``Tool.from_function``). The result is a
    ``Tool`` that is still callable like the function."""

    def decorate(func: Callable[..., Any]) -> Tool:
        return Tool.from_function(
            func,
            name=name,
            description=description,
            strict=strict,
            requires_approval=requires_approval,
            context_type=context_type,
        )

    return decorate(fn) if fn is not None else decorate


def tool_definitions(tools: SequenceABC[ToolLike]) -> list[Any]:
    """The ``tools=`` value for ``send``: functions and ``Tool``s become ``FunctionTool``
    definitions, anything else (server tools, dicts) is kept."""
    return split_tools(tools)[1]


def split_tools(
    tools: SequenceABC[ToolLike], context_type: type | None = None
) -> tuple[dict[str, Tool], list[Any]]:
    """The tools to run, by name, and the ``tools=`` definitions to send (context parameters
    of ``context_type`` left out)."""
    registry: dict[str, Tool] = {}
    definitions: list[Any] = []
    for entry in tools:
        if isinstance(entry, (Mapping, pydantic.BaseModel)):
            # A definition to send as is (a server tool such as openrouter:web_search). A bare
            # function definition would be called with nothing here to answer it.
            if item_field(entry, "type") == "function":
                raise TypeError(
                    f"Function tool {item_field(entry, 'name')!r} is only a definition: pass the "
                    "Python function (or a Tool) so the loop can run it"
                )
            definitions.append(entry)
            continue
        tool_obj = Tool.of(entry, context_type)
        if tool_obj.name in registry:
            raise ValueError(f"Two tools are named {tool_obj.name!r}")
        registry[tool_obj.name] = tool_obj
        definitions.append(tool_obj.definition)
    return registry, definitions


def item_field(item: Any, name: str) -> Any:
    """A field of a history item, which may be a typed component or a plain mapping."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)
