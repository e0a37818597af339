"""The base class of every typed object the SDK exchanges with the API."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import ConfigDict


class BaseModel(pydantic.BaseModel):
    """Lenient in what it reads, exact in what it writes.

    Unknown fields from the server are kept (``extra="allow"``) so that nothing the API adds is
    lost, and ``to_dict()`` writes back only what was set, so an output item can be re-sent as
    input unchanged. ``defer_build`` keeps class creation cheap: a model's validator is built on
    first use, not at import.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
        protected_namespaces=(),
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict of the fields that were set (as received, or as constructed)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
