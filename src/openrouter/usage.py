"""Token and cost totals over one response or many (a tool run, a conversation).

``components.Usage`` is one response's usage exactly as the API sent it; ``Usage`` here is a
flat, addable total::

    from openrouter.usage import Usage

    total = Usage.of(first, second)          # responses, components.Usage, or Usage totals
    total += Usage.of(third)
    print(total.input_tokens, total.output_tokens, total.cost, total.requests)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from typing import TypeAlias

    from openrouter import components

__all__ = ["Usage", "UsageSource"]

UsageSource: TypeAlias = Union["components.OpenResponsesResult", "components.Usage", "Usage", None]
"""What ``Usage.of`` sums: responses, their ``usage`` objects, other totals, or ``None``."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Summed token counts and cost.

    ``requests`` counts the responses summed (a response without ``usage`` still counts, so a
    gap is visible as ``requests > requests_with_usage``). ``cost`` is in USD, summed over the
    responses that reported one; ``requests_with_cost`` says how many did.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float = 0.0
    requests: int = 0
    requests_with_usage: int = 0
    requests_with_cost: int = 0

    @classmethod
    def of(cls, *sources: UsageSource | Iterable[UsageSource]) -> Usage:
        """The total of any mix of responses, ``components.Usage`` objects, totals and
        iterables of those; ``None`` entries are skipped."""
        if len(sources) == 1:  # one response (bulk runs read each one's): no sum to build
            (source,) = sources
            if source is not None and not isinstance(source, Usage) and not _is_iterable(source):
                return cls._one(source)
        total = cls()
        for source in sources:
            if source is None:
                continue
            if isinstance(source, Usage):
                total = total + source
            elif _is_iterable(source):
                total = total + cls.of(*source)
            else:
                total = total + cls._one(source)
        return total

    @classmethod
    def _one(cls, source: Any) -> Usage:
        from openrouter.components import OpenResponsesResult

        if isinstance(source, OpenResponsesResult):
            usage = source.usage
            if usage is None:
                return cls(requests=1)
            return cls._from_component(usage, requests=1)
        if hasattr(source, "input_tokens"):  # components.Usage, or anything shaped like it
            return cls._from_component(source, requests=0)
        raise TypeError(f"Usage.of() cannot read usage from {type(source).__name__}")

    @classmethod
    def _from_component(cls, usage: Any, *, requests: int) -> Usage:
        inp = getattr(usage, "input_tokens_details", None)
        out = getattr(usage, "output_tokens_details", None)
        cost = getattr(usage, "cost", None)
        return cls(
            input_tokens=getattr(usage, "input_tokens", 0) or 0,
            output_tokens=getattr(usage, "output_tokens", 0) or 0,
            total_tokens=getattr(usage, "total_tokens", 0) or 0,
            reasoning_tokens=getattr(out, "reasoning_tokens", 0) or 0,
            cached_tokens=getattr(inp, "cached_tokens", 0) or 0,
            cache_write_tokens=getattr(inp, "cache_write_tokens", 0) or 0,
            cost=float(cost) if cost is not None else 0.0,
            requests=requests,
            requests_with_usage=requests,
            requests_with_cost=requests if cost is not None else 0,
        )

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Usage)))

    def __radd__(self, other: object) -> Usage:
        # ``sum(totals)`` starts from 0.
        if other == 0:
            return self
        if isinstance(other, Usage):
            return other + self
        return NotImplemented

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Usage:
        """The inverse of ``to_dict`` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _is_iterable(value: object) -> bool:
    # Responses and usage models are pydantic models, which are iterable (over their fields):
    # only other iterables count here.
    from pydantic import BaseModel

    return isinstance(value, Iterable) and not isinstance(value, (BaseModel, str, bytes))
