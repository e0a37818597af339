"""Pieces shared by the request, response and event models: the tagged-union-with-fallback
validator, the request base class, and the input content parts (which responses echo back)."""

import importlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, get_args

from pydantic import (
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from openrouter._models import BaseModel

__all__ = [
    "ErrorCode",
    "ErrorText",
    "InputAudio",
    "InputAudioData",
    "InputContentPart",
    "InputFile",
    "InputImage",
    "InputText",
    "InputVideo",
    "LazyList",
    "PromptCacheBreakpoint",
    "RequestModel",
    "TaggedUnion",
    "UnknownTypeTag",
    "tagged_union",
]

UnknownTypeTag: TypeAlias = Literal["<unknown>"]
"""The ``type`` of the ``Unknown*`` fallback classes as type checkers see it (at run time it is
the real ``str``). A union member typed plain ``str`` would absorb the members' ``Literal``
tags, so ``if event.type == "response.output_text.delta":`` would not narrow the union; a
tag no known class has keeps the narrowing exact. Find those objects with ``isinstance``."""


def tagged_union(
    classes: Mapping[str, type[BaseModel]], fallback: type[BaseModel], key: str = "type"
) -> "TaggedUnion":
    """Validate a dict as the class its ``key`` names, or as ``fallback``.

    Used on unions the server grows without notice (output items, annotations, tools): a new
    ``type``, or a known one whose fields changed shape, becomes the fallback class with every
    field kept, instead of failing the whole response. A Python dispatch costs about a
    microsecond per item, which only matters in the per-event path, where items are rare.
    """
    return TaggedUnion(classes, fallback, key)


class TaggedUnion:
    """The ``Annotated`` marker ``tagged_union`` returns.

    A dict goes to its class's own validator, so the schema of the containing model never
    includes the members': each member's validator is built the first time an item of its
    type arrives, and a result with one message item builds one output item class, not 32.
    Anything else (a model instance, a wrong type) goes through a validator of the whole
    union, built on first need, which gives the usual pydantic errors.
    """

    __slots__ = ("_adapter", "_instances", "_source", "classes", "fallback", "key")

    def __init__(
        self, classes: Mapping[str, type[BaseModel]], fallback: type[BaseModel], key: str
    ) -> None:
        self.classes = classes
        self.fallback = fallback
        self.key = key
        self._instances = (*classes.values(), fallback)
        self._adapter: TypeAdapter[Any] | None = None
        self._source: Any = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        self._source = source
        classes, key, other = self.classes, self.key, self._validate_other

        # The per-item path of every response and event: one Python frame, the member's
        # validator called directly (``model_validate`` would add another frame).
        def validate(value: Any) -> Any:
            if isinstance(value, dict):
                tag = value.get(key)
                cls = classes.get(tag) if type(tag) is str else None
                if cls is not None:
                    try:
                        return cls.__pydantic_validator__.validate_python(value)
                    except ValidationError:
                        pass
            return other(value)

        # Serialization is left to each value's own model serializer (inferred at run time).
        return core_schema.no_info_plain_validator_function(validate)

    def _validate_other(self, value: Any) -> Any:
        """A dict of an unknown type or an unexpected shape, or anything that is no dict."""
        if isinstance(value, dict):
            return self._fallback(value)
        if isinstance(value, self._instances):
            return value  # a built model passes as is, as pydantic's own union does
        if self._adapter is None:
            self._adapter = TypeAdapter(self._source)
        return self._adapter.validate_python(value)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The JSON schema is the plain union's, as if the members were in the core schema.
        members = [cls.__pydantic_core_schema__ for cls in get_args(self._source)]
        return handler(core_schema.union_schema(members))

    def _fallback(self, value: dict[Any, Any]) -> Any:
        try:
            return self.fallback.model_validate(value)
        except ValidationError:
            # Only a non-string tag gets here; keep the data rather than fail.
            return self.fallback.model_construct(**{str(k): v for k, v in value.items()})


class LazyList:
    """An ``Annotated`` marker: validate a list as ``list[T]``, ``T`` being ``name`` in
    ``module``, which is imported (and the validator built) on the first non-empty list.

    ``OpenResponsesResult.tools`` echoes the request's tools, which most responses have none
    of: reading a result then builds no tool class, nor the request module they live in.
    Validation, errors and the JSON schema are those of ``list[T]``.
    """

    __slots__ = ("_adapter", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._adapter: TypeAdapter[list[Any]] | None = None

    def adapter(self) -> TypeAdapter[list[Any]]:
        if self._adapter is None:
            item = getattr(importlib.import_module(self.module), self.name)
            self._adapter = TypeAdapter(list[item])  # type: ignore[valid-type]
        return self._adapter

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Any:
            if isinstance(value, list) and not value:
                return []
            return self.adapter().validate_python(value)

        # Serialization is left to each value's own model serializer (inferred at run time).
        return core_schema.no_info_plain_validator_function(validate)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.adapter().core_schema)


def _as_code(value: Any) -> Any:
    if isinstance(value, bool):
        return _as_text(value)
    if value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _as_text(value)


def _as_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, default=str)


# Error fields read whatever the server put there: an error must never be lost because its
# code was a float or its message an object (that would turn the error event into an
# UnknownEvent and hide the reason).
ErrorCode: TypeAlias = Annotated[int | str | None, BeforeValidator(_as_code)]
ErrorText: TypeAlias = Annotated[str | None, BeforeValidator(_as_text)]


class RequestModel(BaseModel):
    """A request-side component.

    ``to_dict()`` writes only the fields that were set, so a discriminator with a default
    (``type="input_text"``) would silently vanish from the request body. The names in
    ``_always_sent`` are therefore marked as set on every instance.
    """

    _always_sent: ClassVar[tuple[str, ...]] = ("type",)

    def model_post_init(self, context: Any, /) -> None:
        fields_set = self.__pydantic_fields_set__
        for name in self._always_sent:
            if name not in fields_set and name in type(self).model_fields:
                fields_set.add(name)


# --- Input content parts (request side; also echoed in responses) ---------------------------


class PromptCacheBreakpoint(RequestModel):
    """Marks an explicit prompt-cache boundary on the content block that carries it."""

    _always_sent = ("mode",)

    mode: Literal["explicit"] = "explicit"


class InputText(RequestModel):
    type: Literal["input_text"] = "input_text"
    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | None = None


class InputImage(RequestModel):
    """An image by URL or as a ``data:`` URL. ``detail`` is required by the API."""

    type: Literal["input_image"] = "input_image"
    detail: Literal["auto", "high", "low", "original"]
    image_url: str | None = None


class InputFile(RequestModel):
    """A file by URL, by id, or inline (``file_data`` as a base64 ``data:`` URL)."""

    type: Literal["input_file"] = "input_file"
    file_data: str | None = None
    file_id: str | None = None
    file_url: str | None = None
    filename: str | None = None


class InputAudioData(BaseModel):
    data: str
    format: Literal["mp3", "wav"]


class InputAudio(RequestModel):
    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudioData


class InputVideo(RequestModel):
    type: Literal["input_video"] = "input_video"
    video_url: str


InputContentPart: TypeAlias = InputText | InputImage | InputFile | InputAudio | InputVideo
