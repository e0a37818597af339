"""``typing.TypedDict`` classes for pydantic on Python < 3.12.

Before 3.12 pydantic refuses ``typing.TypedDict`` (there ``typing`` does not record enough
about required keys and generic bases) and asks for ``typing_extensions.TypedDict``.
``pydantic_compatible(tp)`` rebuilds such a class, and the ones nested in its fields, as an
equivalent ``typing_extensions.TypedDict`` whose keys each say ``Required``/``NotRequired``.
Validated values are plain dicts either way, so the swap is invisible to the caller. Cases it
cannot rebuild (a class that refers to itself, a generic class) raise a ``TypeError`` that
says to import ``TypedDict`` from ``typing_extensions``.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any, cast

# typing_extensions is a dependency of pydantic, so it is always installed with it.
import typing_extensions

__all__ = ["USE_TYPING_EXTENSIONS", "is_typing_typeddict", "pydantic_compatible"]

USE_TYPING_EXTENSIONS = (
    "use `from typing_extensions import TypedDict` instead of `typing.TypedDict` "
    "(pydantic accepts typing.TypedDict only from Python 3.12)"
)

_NEEDED = sys.version_info < (3, 12)
_REQUIRED = {typing_extensions.Required, getattr(typing, "Required", None)} - {None}
_NOT_REQUIRED = {typing_extensions.NotRequired, getattr(typing, "NotRequired", None)} - {None}
_LITERALS = {typing.Literal, typing_extensions.Literal}
_ANNOTATED = {typing.Annotated, typing_extensions.Annotated}


def is_typing_typeddict(tp: Any) -> bool:
    """A ``typing.TypedDict`` class on a Python where pydantic refuses it."""
    return (
        _NEEDED
        and isinstance(tp, type)
        and type(tp).__module__ == "typing"
        and typing.is_typeddict(tp)
    )


def pydantic_compatible(tp: Any) -> Any:
    """``tp`` with every ``typing.TypedDict`` in it rebuilt for pydantic (``tp`` itself when
    there is none, or on Python >= 3.12)."""
    if not _NEEDED:
        return tp
    return _Rebuilder().convert(tp)


class _Rebuilder:
    def __init__(self) -> None:
        self.done: dict[type, Any] = {}
        self.building: list[type] = []

    def convert(self, tp: Any) -> Any:
        if is_typing_typeddict(tp):
            return self.typed_dict(tp)
        origin = typing_extensions.get_origin(tp)
        args = typing_extensions.get_args(tp)
        if origin is None or not args or origin in _LITERALS:
            return tp
        if is_typing_typeddict(origin):
            raise TypeError(f"{tp!r} is a generic typing.TypedDict: {USE_TYPING_EXTENSIONS}")
        if origin in _ANNOTATED:
            base = self.convert(args[0])
            if base is args[0]:
                return tp
            annotated: Any = typing_extensions.Annotated
            params = (base, *args[1:])
            return annotated[params]
        new_args = tuple(self.convert(arg) for arg in args)
        if all(new is old for new, old in zip(new_args, args, strict=True)):
            return tp
        if isinstance(tp, types.UnionType):
            return typing.Union[new_args]  # noqa: UP007 - built from a tuple
        if isinstance(tp, types.GenericAlias):
            return types.GenericAlias(origin, new_args)
        copy_with = getattr(tp, "copy_with", None)  # typing's aliases: List[X], Union[X, Y]
        if copy_with is None:
            raise TypeError(f"{tp!r} contains a typing.TypedDict: {USE_TYPING_EXTENSIONS}")
        return copy_with(new_args)

    def typed_dict(self, tp: type) -> Any:
        if tp in self.done:
            return self.done[tp]
        if tp in self.building:
            raise TypeError(f"{tp.__qualname__} refers to itself: {USE_TYPING_EXTENSIONS}")
        if getattr(tp, "__parameters__", ()):
            raise TypeError(f"{tp.__qualname__} is generic: {USE_TYPING_EXTENSIONS}")
        self.building.append(tp)
        try:
            hints = typing.get_type_hints(tp, include_extras=True)
            required_keys = cast("frozenset[str]", getattr(tp, "__required_keys__", frozenset()))
            fields: dict[str, Any] = {}
            for key, hint in hints.items():
                origin = typing_extensions.get_origin(hint)
                # An explicit marker wins: Python 3.10's typing ignores typing_extensions'.
                if origin in _REQUIRED or origin in _NOT_REQUIRED:
                    required = origin in _REQUIRED
                    hint = typing_extensions.get_args(hint)[0]
                else:
                    required = key in required_keys
                marker: Any = typing_extensions.NotRequired
                if required:
                    marker = typing_extensions.Required
                fields[key] = marker[self.convert(hint)]
        finally:
            self.building.pop()
        # The functional form, since the keys are only known at run time.
        make: Any = typing_extensions.TypedDict
        rebuilt: Any = make(tp.__name__, fields)
        for attr in ("__doc__", "__module__", "__qualname__"):
            setattr(rebuilt, attr, getattr(tp, attr, None))
        config = getattr(tp, "__pydantic_config__", None)
        if config is not None:
            rebuilt.__pydantic_config__ = config
        self.done[tp] = rebuilt
        return rebuilt
