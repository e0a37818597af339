"""Small shared types."""

from __future__ import annotations

from typing import Final


class _Unset:
    """Marks a parameter the caller did not pass, as distinct from an explicit ``None``."""

    __slots__ = ()
    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()
