"""Parameter descriptions from a function's docstring (Google, NumPy or Sphinx style)."""

from __future__ import annotations

import inspect
import re

__all__ = ["parse_docstring"]

_GOOGLE_HEADER = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments|other parameters)\s*:$",
    re.I,
)
_OTHER_HEADER = re.compile(
    r"^(returns?|yields?|raises|examples?|notes?|see also|attributes|warnings?|references|"
    r"todo|methods)\s*:?$",
    re.I,
)
_UNDERLINE = re.compile(r"^-{3,}$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?\*{0,2}(\w+)\s*:\s*(.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """(summary, {parameter: description}) of a Google, NumPy or Sphinx style docstring.

    The summary is the first paragraph, on one line.
    """
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if (
            not text
            or _GOOGLE_HEADER.match(text)
            or _OTHER_HEADER.match(text)
            or text.startswith(":")
            or _UNDERLINE.match(next_line)
        ):
            break
        summary.append(text)

    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        sphinx = _SPHINX_PARAM.match(text)
        if sphinx:
            base = _indent(lines[i])
            parts = [sphinx.group(2).strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) > base:
                parts.append(lines[i].strip())
                i += 1
            params[sphinx.group(1)] = " ".join(p for p in parts if p)
            continue
        numpy = (
            i + 1 < len(lines)
            and _UNDERLINE.match(lines[i + 1].strip())
            and text.lower() in ("parameters", "other parameters", "params", "args", "arguments")
        )
        if _GOOGLE_HEADER.match(text):
            i = _google_block(lines, i, params)
        elif numpy:
            i = _numpy_block(lines, i, params)
        else:
            i += 1
    return (" ".join(summary) or None), params


def _google_block(lines: list[str], start: int, params: dict[str, str]) -> int:
    header = _indent(lines[start])
    i = start + 1
    entry_indent: int | None = None
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = _indent(line)
        if indent <= header:
            break
        if entry_indent is None:
            entry_indent = indent
        match = _GOOGLE_ENTRY.match(line.strip()) if indent <= entry_indent else None
        if match:
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
        i += 1
    return i


def _numpy_block(lines: list[str], start: int, params: dict[str, str]) -> int:
    header = _indent(lines[start])
    i = start + 2
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        text = line.strip()
        if not text:
            i += 1
            continue
        if i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1].strip()):
            break  # the next section
        if _indent(line) <= header:
            match = _NUMPY_ENTRY.match(text)
            if not match:
                break
            current = match.group(1)
            params[current] = ""
        elif current is not None:
            params[current] = f"{params[current]} {text}".strip()
        i += 1
    return i
