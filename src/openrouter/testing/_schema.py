"""Request-body validation against the vendored ``ResponsesRequest`` schema.

``jsonschema`` is an optional dependency (``openrouter[testing]``), imported on first use only;
the compiled validator is built once per process and shared by every emulator.

Two things are tuned beyond plain ``jsonschema``:

- ``anyOf`` / ``oneOf``: the stock keywords collect *every* error of *every* failing branch even
  when a later branch matches, and OpenRouter's input-item union has ~25 branches. Ours first
  drops branches that cannot match (wrong JSON type, a missing required key, or a ``const`` /
  ``enum`` property such as ``type`` or ``role`` with another value: the job the OpenAPI
  ``discriminator`` did), then stops at the first error of each remaining branch. Validity is
  unchanged; only the amount of work is.
- Error messages: one short line naming the failing field (``input[0].role: 'robot' is not one
  of [...]``), chosen from the branch that came closest to matching.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

__all__ = [
    "INSTALL_HINT",
    "RequestChecker",
    "get_checker",
    "jsonschema_available",
    "load_schema",
]

SCHEMA_FILE = "responses_request.schema.json"
INSTALL_HINT = "pip install 'openrouter[testing]'"
_MAX_MESSAGE = 240
_MAX_ERRORS = 20
_CACHE_SIZE = 256
_CACHE_MAX_BODY = 64 * 1024

_lock = threading.Lock()
_checker: RequestChecker | None = None
_schema: dict[str, Any] | None = None


def _import(name: str) -> Any:
    # Through importlib so the optional dependency (untyped without its stubs) stays ``Any``.
    return importlib.import_module(name)


def jsonschema_available() -> bool:
    try:
        _import("jsonschema")
    except ImportError:
        return False
    return True


def load_schema() -> dict[str, Any]:
    """The vendored JSON Schema document (parsed once, then cached)."""
    global _schema
    if _schema is None:
        text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
        _schema = json.loads(text)
    return _schema


def get_checker() -> RequestChecker:
    """The process-wide checker; raises ``ImportError`` naming the extra if jsonschema is absent."""
    global _checker
    if _checker is None:
        with _lock:
            if _checker is None:
                _checker = RequestChecker(load_schema())
    return _checker


# -- quick rejection -------------------------------------------------------------------------

_Sig = tuple[frozenset[str] | None, frozenset[str], dict[str, frozenset[Any]]]
_NO_SIG: _Sig = (None, frozenset(), {})


def _json_types(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({"string"})
    if isinstance(value, bool):
        return frozenset({"boolean"})
    if isinstance(value, int):
        return frozenset({"integer", "number"})
    if isinstance(value, float):
        # 2020-12 counts 1.0 as an integer.
        return frozenset({"integer", "number"} if value.is_integer() else {"number"})
    if isinstance(value, dict):
        return frozenset({"object"})
    if isinstance(value, list):
        return frozenset({"array"})
    if value is None:
        return frozenset({"null"})
    return frozenset()


class _Signatures:
    """Per-subschema facts that rule a branch out without running it (sound, never complete)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._defs: Mapping[str, Any] = document.get("$defs", {})
        self._cache: dict[int, _Sig] = {}

    def of(self, schema: Any) -> _Sig:
        key = id(schema)
        sig = self._cache.get(key)
        if sig is None:
            sig = self._build(schema, 0) if isinstance(schema, dict) else _NO_SIG
            self._cache[key] = sig
        return sig

    def _target(self, ref: str) -> Any:
        if ref.startswith("#/$defs/"):
            return self._defs.get(ref[len("#/$defs/") :])
        return None

    def _allowed(self, schema: Any) -> frozenset[Any] | None:
        """The values a property schema admits, when it is a plain ``const`` / ``enum``."""
        if not isinstance(schema, dict):
            return None
        if "$ref" in schema and len(schema) == 1:
            return self._allowed(self._target(schema["$ref"]))
        try:
            if "const" in schema:
                return frozenset([schema["const"]])
            if "enum" in schema:
                return frozenset(schema["enum"])
        except TypeError:  # an unhashable enum member: no shortcut
            return None
        return None

    def _build(self, schema: dict[str, Any], depth: int) -> _Sig:
        if depth > 8:
            return _NO_SIG
        types: frozenset[str] | None = None
        required: set[str] = set()
        consts: dict[str, frozenset[Any]] = {}

        def merge(sig: _Sig) -> None:
            nonlocal types
            if sig[0] is not None:
                types = sig[0] if types is None else types & sig[0]
            required.update(sig[1])
            for name, allowed in sig[2].items():
                consts[name] = consts[name] & allowed if name in consts else allowed

        declared = schema.get("type")
        if isinstance(declared, str):
            types = frozenset({declared})
        elif isinstance(declared, list):
            types = frozenset(declared)
        if isinstance(schema.get("required"), list):
            required.update(schema["required"])
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                allowed = self._allowed(sub)
                if allowed is not None:
                    consts[name] = allowed
        # Every allOf part and a $ref target must hold too, so their facts add up.
        for part in schema.get("allOf", ()):
            if isinstance(part, dict):
                merge(self._build(part, depth + 1))
        if "$ref" in schema:
            target = self._target(schema["$ref"])
            if isinstance(target, dict):
                merge(self._build(target, depth + 1))
        return (types, frozenset(required), consts)

    def miss(self, schema: Any, instance: Any) -> int:
        """0: may match; 1: lacks a required key; 2: wrong JSON type or a wrong ``const``."""
        types, required, consts = self.of(schema)
        if types is not None and not (types & _json_types(instance)):
            return 2
        if not isinstance(instance, dict):
            return 0
        for name, allowed in consts.items():
            if name in instance:
                try:
                    if instance[name] not in allowed:
                        return 2
                except TypeError:  # an unhashable value: let the validator decide
                    continue
        for name in required:
            if name not in instance:
                return 1
        return 0

    def candidates(self, branches: list[Any], instance: Any) -> list[int]:
        return [i for i, sub in enumerate(branches) if not self.miss(sub, instance)]

    def near_misses(self, branches: list[Any], instance: Any) -> list[int]:
        """For error messages when nothing matched: branches of the right kind, else all."""
        near = [i for i, sub in enumerate(branches) if self.miss(sub, instance) == 1]
        return near or list(range(len(branches)))


# -- the checker -----------------------------------------------------------------------------


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RequestChecker:
    """Validates request bodies; ``check()`` returns short messages, best first."""

    def __init__(self, document: dict[str, Any]) -> None:
        try:
            jsonschema = _import("jsonschema")
        except ImportError as exc:
            raise ImportError(
                "The OpenRouter emulator validates request bodies with the 'jsonschema' package. "
                f"Install it with: {INSTALL_HINT}  (or pass validate=False)"
            ) from exc

        Draft202012Validator = jsonschema.Draft202012Validator
        ValidationError = jsonschema.ValidationError
        extend = jsonschema.validators.extend
        sigs = _Signatures(document)

        def make(detailed: bool) -> Any:
            """A validator class; ``detailed`` ones keep the failing branches' errors."""

            def union_error(
                validator: Any, branches: list[Any], candidates: list[int], instance: Any
            ) -> Any:
                message = f"{_short(instance)} does not match any of the allowed shapes"
                if not detailed:
                    # A yes/no answer needs no explanation, and building one is the slow part.
                    return ValidationError(message)
                context: list[Any] = []
                for i in candidates or sigs.near_misses(branches, instance):
                    context.extend(validator.descend(instance, branches[i], schema_path=i))
                return ValidationError(message, context=context)

            def any_of(
                validator: Any, branches: list[Any], instance: Any, schema: Any
            ) -> Iterator[Any]:
                candidates = sigs.candidates(branches, instance)
                for i in candidates:
                    if next(validator.descend(instance, branches[i], schema_path=i), None) is None:
                        return
                yield union_error(validator, branches, candidates, instance)

            def one_of(
                validator: Any, branches: list[Any], instance: Any, schema: Any
            ) -> Iterator[Any]:
                candidates = sigs.candidates(branches, instance)
                matched: list[int] = []
                for i in candidates:
                    if next(validator.descend(instance, branches[i], schema_path=i), None) is None:
                        matched.append(i)
                        if len(matched) > 1:
                            break
                if not matched:
                    yield union_error(validator, branches, candidates, instance)
                elif len(matched) > 1:
                    yield ValidationError(
                        f"{_short(instance)} matches more than one of the allowed shapes "
                        f"(oneOf branches {matched[0]} and {matched[1]})"
                    )

            return extend(Draft202012Validator, {"anyOf": any_of, "oneOf": one_of})

        self._cache: OrderedDict[bytes, tuple[str, ...]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._fast = make(detailed=False)(document)
        self._detailed = make(detailed=True)(document)

    def is_valid(self, body: Any) -> bool:
        return bool(self._fast.is_valid(body))

    def check(self, body: Any, raw: bytes | None = None) -> list[str]:
        """``[]`` when ``body`` is valid, else one line per problem, the most useful first.

        ``raw``, the body's bytes, enables a small cache: test suites and benchmarks send the
        same body over and over, and validation is the costliest step of a request.
        """
        if raw is None or len(raw) > _CACHE_MAX_BODY:
            return self._check(body)
        with self._cache_lock:
            cached = self._cache.get(raw)
            if cached is not None:
                self._cache.move_to_end(raw)
                return list(cached)
        result = self._check(body)
        with self._cache_lock:
            self._cache[raw] = tuple(result)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def _check(self, body: Any) -> list[str]:
        if self._fast.is_valid(body):
            return []
        relevance = _import("jsonschema.exceptions").relevance

        errors = sorted(self._detailed.iter_errors(body), key=relevance, reverse=True)
        messages: list[str] = []
        for error in errors[:_MAX_ERRORS]:
            message = _format(_closest(error))
            if message not in messages:
                messages.append(message)
        return messages


def _closest(error: Any) -> Any:
    """Walk down ``anyOf``/``oneOf`` failures into the branch that came nearest to matching."""
    while error.context:
        groups: dict[Any, list[Any]] = {}
        for sub in error.context:
            groups.setdefault(sub.relative_schema_path[0], []).append(sub)

        # Fewest problems wins; then the one that got deepest into the instance.
        def rank(group: list[Any]) -> tuple[int, int]:
            return (len(group), -max(_depth(e) for e in group))

        ranked = sorted(groups.values(), key=rank)
        tops = [max(g, key=_depth) for g in ranked if rank(g) == rank(ranked[0])]
        best = tops[0]
        merged = _merge_alternatives(tops, error.context)
        if merged is not None:
            best.message = merged
            return best
        error = best
    return error


def _merge_alternatives(tops: list[Any], context: list[Any]) -> str | None:
    """Several branches failing on one value the same way: name every allowed alternative."""
    first = tops[0]
    if len(tops) < 2 or any(e.absolute_path != first.absolute_path for e in tops):
        return None
    kinds = {e.validator for e in tops}
    # Branches that also failed elsewhere still tell which values were allowed here.
    errors = [e for e in context if e.validator in kinds and e.absolute_path == first.absolute_path]
    if kinds == {"type"}:
        types: list[str] = []
        for e in errors:
            value = e.validator_value
            for t in [value] if isinstance(value, str) else value:
                if t not in types:
                    types.append(t)
        return f"{_short(first.instance)} is not of type {', '.join(map(repr, types))}"
    if kinds <= {"enum", "const"}:
        values: list[Any] = []
        for e in errors:
            for v in [e.validator_value] if e.validator == "const" else e.validator_value:
                if v not in values:
                    values.append(v)
        return f"{_short(first.instance)} is not one of {_short(values, 160)}"
    return None


def _depth(error: Any) -> int:
    return len(error.absolute_path)


def _format(error: Any) -> str:
    path = str(error.json_path)
    path = path[2:] if path.startswith("$.") else path[1:]
    message = str(error.message)
    text = f"{path}: {message}" if path else message
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."
