"""Pieces shared by the request, response and event models: the tagged-union-with-fallback
validator, the request base class, and the input content parts (which responses echo back)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import BeforeValidator, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

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
    "PromptCacheBreakpoint",
    "RequestModel",
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
) -> WrapValidator:
    """Validate a dict as the class its ``key`` names, or as ``fallback``.

    Used on unions the server grows without notice (output items, annotations, tools): a new
    ``type``, or a known one whose fields changed shape, becomes the fallback class with every
    field kept, instead of failing the whole response. A Python dispatch costs about a
    microsecond per item, which only matters in the per-event path, where items are rare.
    """

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(value, dict):
            tag = value.get(key)
            cls = classes.get(tag) if isinstance(tag, str) else None
            if cls is not None:
                try:
                    return cls.model_validate(value)
                except ValidationError:
                    pass
            try:
                return fallback.model_validate(value)
            except ValidationError:
                # Only a non-string tag gets here; keep the data rather than fail.
                return fallback.model_construct(**{str(k): v for k, v in value.items()})
        # Already-built models (and wrong types, which the plain union reports properly).
        return handler(value)

    return WrapValidator(validate)


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
