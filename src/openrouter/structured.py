"""Structured outputs: ask for a type, get a validated instance of it back.

::

    class Weather(BaseModel):
        city: str
        temperature_c: float
        conditions: str | None = None

    res = client.responses.parse(model="openai/gpt-4o", input="Weather in Paris?",
                                 text_format=Weather)
    res.output_parsed            # Weather(city='Paris', ...), typed as Weather

``text_format`` is a class: a pydantic model, a dataclass or a TypedDict (``typing.TypedDict``
too on Python < 3.12, where pydantic wants ``typing_extensions.TypedDict``: it is rebuilt as one,
unless it refers to itself). A string, a dict, an instance, or a type whose schema is not an
object with named fields (``dict``, ``list[int]``) raises ``TypeError`` before anything is sent.

The type's JSON schema is sent as ``text.format`` (``json_schema``, ``strict: true``), made
strict-compatible first (``to_strict_json_schema``): every object gets
``additionalProperties: false`` and lists all its properties as required; a property that was
optional becomes nullable instead (a ``null`` answer for a field that is not itself nullable
is dropped before validation, so the field's default applies); ``default`` keywords go,
``oneOf`` becomes ``anyOf``; ``$defs``/``$ref`` (nested and recursive models) are kept.

Failures raise, never return half-parsed data: a refusal raises
``StructuredOutputRefusalError``, a cut-off answer ``StructuredOutputIncompleteError`` (an
``IncompleteResponseError``), text that is not JSON or does not validate
``StructuredOutputValidationError``, a failed response ``ResponseFailedError``. Each carries the
``raw_text`` and the ``response``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic import PrivateAttr, PydanticUserError, TypeAdapter, ValidationError

from openrouter._json_schema import resolve_ref, strictify, strip_nulls
from openrouter._json_schema import to_strict_json_schema as _strict_copy_of_schema
from openrouter._typeddicts import USE_TYPING_EXTENSIONS, pydantic_compatible
from openrouter._wrapped_stream import WrappedStream, WrappedStreamAsync
from openrouter.components import (
    FormatJsonSchemaConfig,
    OpenAIResponsesRefusalContent,
    OpenResponsesResult,
    OutputMessageItem,
    ResponseOutputText,
    TextExtendedConfig,
)
from openrouter.components._response import set_generation_id
from openrouter.errors import (
    StructuredOutputIncompleteError,
    StructuredOutputRefusalError,
    StructuredOutputValidationError,
    incomplete_reason,
    raise_if_failed,
)

if TYPE_CHECKING:
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import StreamEvents

__all__ = [
    "ParsedEventStream",
    "ParsedEventStreamAsync",
    "ParsedResponse",
    "StructuredFormat",
    "json_schema_format",
    "parse_response",
    "text_config",
    "to_strict_json_schema",
]

T = TypeVar("T")

_NAME_OK = re.compile(r"[^a-zA-Z0-9_-]")


# --- Formats ----------------------------------------------------------------------------------


class StructuredFormat(Generic[T]):
    """A type prepared for structured outputs: its strict schema and its validator.

    Built once per type (cached); ``StructuredFormat.of(MyModel)``.
    """

    __slots__ = ("_added", "adapter", "name", "schema", "type")

    def __init__(self, tp: type[T], name: str | None = None) -> None:
        _check_text_format(tp)
        self.type = tp
        try:
            # A typing.TypedDict (refused by pydantic before Python 3.12) is rebuilt as a
            # typing_extensions one; it validates to the same plain dict.
            self.adapter: TypeAdapter[T] = TypeAdapter(pydantic_compatible(tp))
            original = self.adapter.json_schema()
        except PydanticUserError as exc:  # includes the schema generation errors
            raise TypeError(_pydantic_refusal(tp, exc)) from exc
        ref = original.get("$ref")
        if isinstance(ref, str) and len(original) <= 2:
            # A recursive model's schema is a bare $ref at the root; strict mode wants the
            # root to be the object itself (its $defs stay, for the recursion).
            defs = original.get("$defs")
            original = {**resolve_ref(original, ref), **({"$defs": defs} if defs else {})}
        if original.get("type") != "object" or "properties" not in original:
            raise TypeError(_not_an_object(tp, original))
        self.schema, self._added = strictify(original)
        self.name = name or _format_name(tp)

    @classmethod
    def of(cls, tp: type[T]) -> StructuredFormat[T]:
        _check_text_format(tp)
        try:
            hash(tp)
        except TypeError:  # e.g. Annotated[Model, <unhashable metadata>]: not cached
            return cls(tp)
        cached: StructuredFormat[T] = _cached_format(cast(Any, tp))
        return cached

    def config(self) -> FormatJsonSchemaConfig:
        """The ``text.format`` value."""
        extra: dict[str, Any] = {}
        description = self.schema.get("description")
        if isinstance(description, str) and description:
            extra["description"] = description
        return FormatJsonSchemaConfig(name=self.name, schema_=self.schema, strict=True, **extra)

    def validate_text(self, text: str, response: OpenResponsesResult) -> T:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StructuredOutputValidationError(
                f"The answer is not valid JSON ({exc}); expected a {self.name} object. "
                f"Raw text: {_snippet(text)}",
                raw_text=text,
                response=response,
                cause=exc,
            ) from exc
        if self._added and strip_nulls(data, self.schema, self.schema, self._added):
            text_to_validate = json.dumps(data)
        else:
            text_to_validate = text
        try:
            return self.adapter.validate_json(text_to_validate)
        except ValidationError as exc:
            raise StructuredOutputValidationError(
                f"The answer does not match {self.name}: {exc.error_count()} error(s), first: "
                f"{exc.errors()[0]['msg']} at {_loc(exc.errors()[0]['loc'])}. "
                f"Raw text: {_snippet(text)}",
                raw_text=text,
                response=response,
                cause=exc,
            ) from exc


@functools.lru_cache(maxsize=256)
def _cached_format(tp: Any) -> StructuredFormat[Any]:
    return StructuredFormat(tp)


_WHAT_TO_PASS = "pass a pydantic model, dataclass or TypedDict class"


def _check_text_format(tp: Any) -> None:
    """Refuse what is not a type at all (a string, a dict, an instance), before any request."""
    if isinstance(tp, type) or typing.get_origin(tp) is not None:
        return  # a class, or a generic alias such as Annotated[Model, ...]
    if type(tp).__module__ in ("typing", "typing_extensions"):
        return  # special forms (Any, NewType ...): judged by their schema
    if tp is None:
        raise TypeError(f"text_format is None: {_WHAT_TO_PASS}")
    if isinstance(tp, str):
        example = f"text_format={tp}, not text_format={tp!r}" if tp.isidentifier() else ""
        raise TypeError(
            f"text_format takes a class, not a string ({tp!r}): {_WHAT_TO_PASS}"
            + (f" ({example})" if example else "")
        )
    if isinstance(tp, Mapping):
        raise TypeError(
            f"text_format takes a class, not a dict: {_WHAT_TO_PASS}. For a JSON schema of your "
            "own, call send() with text={'format': {'type': 'json_schema', 'name': 'answer', "
            "'schema': structured.to_strict_json_schema(schema), 'strict': True}}"
        )
    kind = type(tp)
    if dataclasses.is_dataclass(kind) or hasattr(kind, "model_fields"):
        raise TypeError(
            f"text_format takes a class, not an instance of it: pass "
            f"text_format={kind.__qualname__}"
        )
    raise TypeError(
        f"text_format takes a class, not a value of type {kind.__qualname__}: {_WHAT_TO_PASS}"
    )


def _type_name(tp: Any) -> str:
    # Python 3.10 counts dict[str, int] as a type, with dict's __qualname__.
    plain_class = isinstance(tp, type) and typing.get_origin(tp) is None
    return tp.__qualname__ if plain_class else repr(tp)


def _pydantic_refusal(tp: Any, exc: PydanticUserError) -> str:
    if exc.code == "typed-dict-version":
        return f"text_format={_type_name(tp)} uses typing.TypedDict: {USE_TYPING_EXTENSIONS}"
    # pydantic's first sentence names the type it cannot handle; the rest is advice about
    # its own settings and a link.
    reason = str(exc).strip().split(". ")[0].splitlines()[0].rstrip(".")
    return (
        f"text_format={_type_name(tp)} cannot be described as JSON schema ({reason}): "
        f"{_WHAT_TO_PASS} whose fields are JSON-compatible types"
    )


def _not_an_object(tp: Any, schema: Mapping[str, Any]) -> str:
    name = _type_name(tp)
    if schema.get("type") == "object":
        return (
            f"text_format={name} is a free-form mapping, and structured outputs need named "
            f"fields: {_WHAT_TO_PASS} that lists them"
        )
    kind = schema.get("type")
    described = f"a JSON {kind}" if isinstance(kind, str) else "something other than an object"
    return (
        f"text_format={name} describes {described}, and structured outputs need a JSON "
        f"object: {_WHAT_TO_PASS}, with the list or value as one of its fields"
    )


def _format_name(tp: Any) -> str:
    name = getattr(tp, "__name__", None) or "response"
    return _NAME_OK.sub("_", str(name))[:64] or "response"


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(root)"


def _snippet(text: str, limit: int = 300) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")


def to_strict_json_schema(schema: Mapping[str, Any] | type[Any]) -> dict[str, Any]:
    """A strict-compatible JSON schema: of a schema dict (a modified copy), or of a type (a
    pydantic model, dataclass or TypedDict class: the schema ``parse`` sends for it).

    Objects get ``additionalProperties: false`` and every property required; a property that
    was optional and did not admit ``null`` becomes ``anyOf: [<schema>, {"type": "null"}]``
    (unless it has a single allowed value, such as a union's tag, which simply becomes
    required); ``default`` and ``discriminator`` are removed, ``oneOf`` becomes ``anyOf``, a
    ``$ref`` with sibling keywords is inlined. Free-form maps (``dict[str, X]``) keep their
    ``additionalProperties`` schema: strict providers may reject them.
    """
    if isinstance(schema, Mapping):
        return _strict_copy_of_schema(schema)
    # A copy: the cached format's schema is shared (and its node ids matter to it).
    return copy.deepcopy(StructuredFormat.of(schema).schema)


def json_schema_format(text_format: type[Any]) -> FormatJsonSchemaConfig:
    """The ``text.format`` (``json_schema``, strict) for a type, to pass to ``send`` yourself."""
    return StructuredFormat.of(text_format).config()


def text_config(text_format: type[Any], text: Any = None) -> TextExtendedConfig:
    """``text`` for a request: ``text``'s other settings (``verbosity``) plus the format."""
    fmt = json_schema_format(text_format)
    if text is None:
        return TextExtendedConfig(format=fmt)
    base = text if isinstance(text, Mapping) else text.to_dict()
    if base.get("format") is not None:
        raise TypeError("Pass either text_format= or text={'format': ...}, not both")
    config = TextExtendedConfig.model_validate({k: v for k, v in base.items() if k != "format"})
    config.format = fmt
    return config


# --- Results ----------------------------------------------------------------------------------


class ParsedResponse(OpenResponsesResult, Generic[T]):
    """An ``OpenResponsesResult`` whose answer was parsed: ``output_parsed`` is the instance.

    ``to_dict()`` is the response exactly as received (``output_parsed`` is not a field).
    """

    _parsed: Any = PrivateAttr(default=None)

    @property
    def output_parsed(self) -> T:
        value: T = self._parsed
        return value

    @classmethod
    def wrap(cls, response: OpenResponsesResult, parsed: T) -> ParsedResponse[T]:
        values = dict(response.__dict__)
        if response.__pydantic_extra__:
            values.update(response.__pydantic_extra__)
        out: ParsedResponse[T] = cls.model_construct(
            _fields_set=set(response.model_fields_set), **values
        )
        out._parsed = parsed
        set_generation_id(out, response.generation_id)
        return out


def _answer_text(response: OpenResponsesResult) -> str:
    """The text of the last message that has any (earlier ones may be commentary)."""
    for item in reversed(response.output):
        if isinstance(item, OutputMessageItem):
            parts = [p.text for p in item.content if isinstance(p, ResponseOutputText)]
            if parts:
                return "".join(parts)
    return ""


def parse_response(response: OpenResponsesResult, text_format: type[T]) -> ParsedResponse[T]:
    """Validate a response's answer as ``text_format``; raise rather than return partial data."""
    fmt = StructuredFormat.of(text_format)
    raise_if_failed(response)
    text = _answer_text(response)
    for item in response.output:
        if isinstance(item, OutputMessageItem):
            for part in item.content:
                if isinstance(part, OpenAIResponsesRefusalContent):
                    raise StructuredOutputRefusalError(
                        f"The model refused: {part.refusal}",
                        refusal=part.refusal,
                        raw_text=text,
                        response=response,
                    )
    if response.status == "incomplete":
        reason = incomplete_reason(response)
        raise StructuredOutputIncompleteError(
            f"The response is incomplete ({reason or 'no reason given'}), so its JSON is cut "
            f"off. Raw text: {_snippet(text)}",
            raw_text=text,
            response=response,
            reason=reason,
        )
    return ParsedResponse.wrap(response, fmt.validate_text(text, response))


class _ParsedMixin(Generic[T]):
    _format: StructuredFormat[T]
    _parsed_final: ParsedResponse[T] | None = None

    def _parse(self, final: OpenResponsesResult) -> ParsedResponse[T]:
        if self._parsed_final is None:
            self._parsed_final = parse_response(final, self._format.type)
        return self._parsed_final


class ParsedEventStream(WrappedStream, _ParsedMixin[T]):
    """``parse(..., stream=True)``: the usual events; ``get_final_response()`` reads the rest and
    returns the ``ParsedResponse`` (or raises the structured-output errors)."""

    def __init__(self, inner: EventStream[StreamEvents], fmt: StructuredFormat[T]) -> None:
        super().__init__(inner)
        self._format = fmt

    def get_final_response(self) -> ParsedResponse[T]:
        return self._parse(super().get_final_response())


class ParsedEventStreamAsync(WrappedStreamAsync, _ParsedMixin[T]):
    """The async form of ``ParsedEventStream``."""

    def __init__(self, inner: EventStreamAsync[StreamEvents], fmt: StructuredFormat[T]) -> None:
        super().__init__(inner)
        self._format = fmt

    async def get_final_response(self) -> ParsedResponse[T]:
        return self._parse(await super().get_final_response())


# --- Driving requests (used by ``Responses.parse`` / ``parse_async``) --------------------------


def prepare(text_format: type[Any], params: dict[str, Any]) -> StructuredFormat[Any]:
    """Put the format into ``params["text"]`` and return it."""
    fmt = StructuredFormat.of(text_format)
    params["text"] = text_config(text_format, params.get("text"))
    return fmt
