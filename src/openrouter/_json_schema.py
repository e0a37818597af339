"""Strict-mode JSON schemas: what strict structured outputs and strict function tools accept.

``strictify`` makes a schema strict and remembers which optional properties it made nullable;
``strip_nulls`` drops the model's ``null`` for exactly those properties, so the field's own
default applies when the answer is validated against the original type.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["resolve_ref", "strictify", "strip_nulls", "to_strict_json_schema"]


def resolve_ref(root: Mapping[str, Any], ref: str) -> Any:
    """The node a local ``$ref`` (``#/$defs/Name``) points to in ``root``."""
    if not ref.startswith("#"):
        raise ValueError(f"Only local $ref values are supported, got {ref!r}")
    node: Any = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _admits_null(node: Any, root: Mapping[str, Any], depth: int = 0) -> bool:
    if not isinstance(node, dict) or depth > 50:
        return False
    if "$ref" in node:
        return _admits_null(resolve_ref(root, node["$ref"]), root, depth + 1)
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "const" in node:
        return node["const"] is None
    if "enum" in node:
        return None in node["enum"]
    for key in ("anyOf", "oneOf"):
        if any(_admits_null(sub, root, depth + 1) for sub in node.get(key, ())):
            return True
    # A schema without any constraint (``Any``) accepts null too.
    return not any(k in node for k in ("type", "anyOf", "oneOf", "allOf", "not"))


def _is_constant(node: Any) -> bool:
    """A single allowed value (a ``Literal["a"]`` tag): required as is, never nullable, so a
    union's discriminator stays a plain constant."""
    if not isinstance(node, dict):
        return False
    enum = node.get("enum")
    return "const" in node or (isinstance(enum, list) and len(enum) == 1)


class _Strictifier:
    def __init__(self, original: dict[str, Any]) -> None:
        self.original = original
        # A JSON round trip, not deepcopy: deepcopy keeps objects shared between two places
        # shared, and each place must be processed (and recorded) on its own.
        self.root: dict[str, Any] = json.loads(json.dumps(original))
        # id(object schema) -> properties made nullable here (their nulls are dropped later).
        self.added: dict[int, frozenset[str]] = {}
        self.inlining: list[str] = []

    def run(self) -> dict[str, Any]:
        self.visit(self.root)
        return self.root

    def visit(self, node: Any) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) > 1:
            # Strict mode wants a bare $ref: inline the target under its siblings (from the
            # unprocessed original, so the copy is processed like any other node). A ref that
            # is already being inlined (a recursive model) just loses its siblings.
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node.clear()
            if ref in self.inlining:
                node["$ref"] = ref
                return
            target = copy.deepcopy(resolve_ref(self.original, ref))
            node.update(target)
            for key, value in siblings.items():
                if key not in ("default", "title") or key not in node:
                    node[key] = value
            self.inlining.append(ref)
            try:
                self.visit(node)
            finally:
                self.inlining.pop()
            return
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
            only = node.pop("allOf")[0]
            for key, value in only.items():
                node.setdefault(key, value)
            self.visit(node)
            return

        node.pop("default", None)
        node.pop("discriminator", None)
        if "oneOf" in node:
            one_of = node.pop("oneOf")
            if "anyOf" in node:
                node["allOf"] = [{"anyOf": node.pop("anyOf")}, {"anyOf": one_of}]
            else:
                node["anyOf"] = one_of

        for key in ("$defs", "definitions"):
            defs = node.get(key)
            if isinstance(defs, dict):
                for sub in defs.values():
                    self.visit(sub)
        for key in ("anyOf", "allOf", "prefixItems"):
            subs = node.get(key)
            if isinstance(subs, list):
                for sub in subs:
                    self.visit(sub)
        for key in ("items", "not", "contains"):
            self.visit(node.get(key))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            self.visit(extra)

        props = node.get("properties")
        if isinstance(props, dict):
            required = set(node.get("required", ()))
            made_nullable: list[str] = []
            for name, sub in list(props.items()):
                self.visit(sub)
                if (
                    name not in required
                    and not _admits_null(sub, self.original)
                    and not _is_constant(sub)
                ):
                    props[name] = {"anyOf": [sub, {"type": "null"}]}
                    made_nullable.append(name)
            node["required"] = list(props)
            node["additionalProperties"] = False
            if made_nullable:
                self.added[id(node)] = frozenset(made_nullable)
        elif node.get("type") == "object" and "additionalProperties" not in node:
            node["properties"] = {}
            node["required"] = []
            node["additionalProperties"] = False


def to_strict_json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that strict structured outputs (and strict tools) accept.

    Objects get ``additionalProperties: false`` and every property required; a property that
    was optional and did not admit ``null`` becomes ``anyOf: [<schema>, {"type": "null"}]``
    (unless it has a single allowed value, such as a union's tag, which simply becomes
    required);
    ``default`` and ``discriminator`` are removed, ``oneOf`` becomes ``anyOf``, a ``$ref``
    with sibling keywords is inlined. Free-form maps (``dict[str, X]``) keep their
    ``additionalProperties`` schema: strict providers may reject them.
    """
    return strictify(schema)[0]


def strictify(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[int, frozenset[str]]]:
    """``to_strict_json_schema(schema)``, and the properties it made nullable: ``id()`` of an
    object schema in the returned copy -> names (what ``strip_nulls`` needs)."""
    strictifier = _Strictifier(dict(schema))
    return strictifier.run(), strictifier.added


def strip_nulls(
    data: Any, node: Any, root: Mapping[str, Any], added: Mapping[int, frozenset[str]]
) -> bool:
    """Drop the ``null`` values of properties that were made nullable only for strict mode,
    so the model's own default applies. Returns whether anything changed."""
    if not isinstance(node, dict):
        return False
    depth = 0
    while "$ref" in node and depth < 50:
        node = resolve_ref(root, node["$ref"])
        depth += 1
    changed = False
    if isinstance(data, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            made = added.get(id(node), frozenset())
            for key in list(data):
                value = data[key]
                if value is None and key in made:
                    del data[key]
                    changed = True
                elif key in props:
                    changed |= strip_nulls(value, props[key], root, added)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not isinstance(props, dict):
            for value in data.values():
                changed |= strip_nulls(value, extra, root, added)
    elif isinstance(data, list):
        items = node.get("items")
        if isinstance(items, dict):
            for value in data:
                changed |= strip_nulls(value, items, root, added)
    for key in ("anyOf", "allOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            chosen = _matching_branches(data, branches, root)
            # Only descend when the data picks one branch: dropping a null in the wrong one
            # would change the meaning.
            if key == "allOf" or len(chosen) == 1:
                for branch in chosen:
                    changed |= strip_nulls(data, branch, root, added)
    return changed


def _matching_branches(data: Any, branches: list[Any], root: Mapping[str, Any]) -> list[Any]:
    out = []
    for branch in branches:
        target = branch
        while isinstance(target, dict) and "$ref" in target:
            target = resolve_ref(root, target["$ref"])
        if not isinstance(target, dict):
            continue
        if isinstance(data, dict):
            props = target.get("properties")
            if not isinstance(props, dict) or not set(data) <= set(props):
                continue
            consts = {
                k: v["const"] for k, v in props.items() if isinstance(v, dict) and "const" in v
            }
            if any(k in data and data[k] != v for k, v in consts.items()):
                continue
            out.append(branch)
        elif isinstance(data, list) and (target.get("type") == "array" or "items" in target):
            out.append(branch)
    return out
