"""Run every benchmark (`make bench`), or the named ones: `python -m bench import tui`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).parent


def available() -> list[str]:
    return sorted(p.stem.removesuffix("_bench") for p in HERE.glob("*_bench.py"))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}_bench").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
