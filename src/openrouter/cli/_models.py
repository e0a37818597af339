"""``openrouter models``: the model catalogue as a table (or JSON), filtered by capability,
price and context length."""

from __future__ import annotations

import argparse
import json
from contextlib import ExitStack
from typing import TYPE_CHECKING, TextIO

from openrouter.cli._args import Parser, add_connection_options, non_negative_float, positive_int
from openrouter.cli._connect import open_client
from openrouter.cli._exit import EXIT_CODES_HELP, EXIT_OK, PROG

if TYPE_CHECKING:
    from collections.abc import Sequence

    from openrouter.components import Capability, Model

__all__ = ["build_models_parser", "run_models"]

# What --supports takes: the capability names, plus the spellings people reach for.
_SUPPORTS: dict[str, Capability] = {
    "tools": "tools",
    "structured_outputs": "structured_outputs",
    "structured": "structured_outputs",
    "json": "structured_outputs",
    "reasoning": "reasoning",
    "image_input": "image_input",
    "images": "image_input",
    "vision": "image_input",
    "file_input": "file_input",
    "files": "file_input",
    "pdf": "file_input",
    "audio_input": "audio_input",
    "audio": "audio_input",
    "image_output": "image_output",
}

DESCRIPTION = """\
List the models OpenRouter serves: id, context length, and the price in USD per
million input and output tokens. SEARCH keeps models whose id or name contains
it (case-insensitive)."""

EPILOG = f"""\
capabilities for --supports (comma-separated, all required):
  tools, structured_outputs (or structured, json), reasoning,
  image_input (or images, vision), file_input (or files, pdf),
  audio_input (or audio), image_output

examples:
  openrouter models
  openrouter models claude
  openrouter models --supports tools,reasoning --max-input-price 1
  openrouter models --min-context 500000 --json | jq -r '.[].id'
  openrouter models --emulator                # offline: the emulator's catalogue

{EXIT_CODES_HELP}"""


def _capabilities(text: str) -> list[Capability]:
    wanted: list[Capability] = []
    for word in text.split(","):
        key = word.strip().lower().replace("-", "_")
        if not key:
            continue
        if key not in _SUPPORTS:
            known = ", ".join(sorted(set(_SUPPORTS.values())))
            raise argparse.ArgumentTypeError(f"unknown capability {word.strip()!r} ({known})")
        wanted.append(_SUPPORTS[key])
    return wanted


def build_models_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=f"{PROG} models",
        usage="%(prog)s [SEARCH] [--supports LIST] [--json] [options]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("search", nargs="*", metavar="SEARCH", help="text in the id or name")
    found = parser.add_argument_group("filters and output")
    found.add_argument(
        "--supports",
        type=_capabilities,
        action="extend",
        default=[],
        metavar="LIST",
        help="only models with every capability listed, e.g. tools,reasoning",
    )
    found.add_argument(
        "--min-context", type=positive_int, metavar="TOKENS", help="minimum context length"
    )
    found.add_argument(
        "--max-input-price",
        type=non_negative_float,
        metavar="USD",
        help="per million input tokens, at most",
    )
    found.add_argument(
        "--max-output-price",
        type=non_negative_float,
        metavar="USD",
        help="per million output tokens, at most",
    )
    found.add_argument(
        "--all-modalities",
        action="store_true",
        help="include models that do not output text (image, audio, embeddings)",
    )
    found.add_argument(
        "--json", action="store_true", help="print the models as a JSON array, as the API has them"
    )
    add_connection_options(parser)
    return parser


def _per_million(value: float | None) -> str:
    if value is None:
        return "varies"
    if value == 0:
        return "free"
    return f"{value:.3f}".rstrip("0").rstrip(".") if value < 0.01 else f"{value:.2f}"


def format_table(models: Sequence[Model]) -> str:
    """Aligned columns: id, context, input and output price per million tokens."""
    rows = [("MODEL", "CONTEXT", "INPUT $/M", "OUTPUT $/M")]
    for model in models:
        context = f"{model.context_length:,}" if model.context_length else "-"
        rows.append(
            (
                model.id,
                context,
                _per_million(model.pricing.input_per_million),
                _per_million(model.pricing.output_per_million),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def run_models(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with ExitStack() as stack:
        client = open_client(args, stack, err)
        headers = dict(args.header) if args.header else None
        listed = client.models.list(
            output_modalities="all" if args.all_modalities else None, http_headers=headers
        )
    models = listed.filter(
        supports=args.supports,
        min_context_length=args.min_context,
        max_input_price=args.max_input_price,
        max_output_price=args.max_output_price,
        search=" ".join(args.search).strip() or None,
    )
    if args.json:
        out.write(json.dumps([m.to_dict() for m in models], indent=2, ensure_ascii=False) + "\n")
    elif models:
        out.write(format_table(models))
    else:
        err.write(f"{PROG}: no model matches\n")
    out.flush()
    return EXIT_OK
