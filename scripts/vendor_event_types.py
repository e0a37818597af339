"""Regenerate ``src/openrouter/components/stream_event_types.json`` from the contract.

The list is the keys of ``components.schemas.StreamEvents.discriminator.mapping`` in OpenRouter's
OpenAPI file, sorted. ``tests/test_events.py`` checks that it still matches the spec and that
every type has its own class in the decoder.

Usage: python scripts/vendor_event_types.py [path/to/openrouter-openapi.yaml]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT.parent / "shared/contract/openrouter-openapi.yaml"
TARGET = ROOT / "src/openrouter/components/stream_event_types.json"


def event_types(spec_path: Path) -> list[str]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 10x faster
    with spec_path.open(encoding="utf-8") as f:
        spec = yaml.load(f, Loader=loader)
    mapping = spec["components"]["schemas"]["StreamEvents"]["discriminator"]["mapping"]
    return sorted(mapping)


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    types = event_types(spec_path)
    TARGET.write_text(json.dumps(types, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(types)} event types to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
