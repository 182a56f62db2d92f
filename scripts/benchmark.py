"""Benchmark: how fast the module library loads and how fast previews render.

    python scripts/benchmark.py [--rounds N]

Prints figures (median and worst of N rounds); asserts nothing. Runs on a throw-away SQLite
database with the shipped modules.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(label: str, action: Callable[[], object], rounds: int) -> None:
    """Run ``action`` ``rounds`` times and print the median and worst time in milliseconds."""
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    print(f"{label:<44} median {statistics.median(timings):8.2f} ms   "
          f"worst {max(timings):8.2f} ms   ({rounds} rounds)")


def main() -> int:
    """Measure loading, start-up and page rendering."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds

    from ehealth import create_app
    from ehealth.content.loader import load_library

    modules, media = ROOT / "modules", ROOT / "media"
    library = load_library([modules], media)
    steps = sum(m.step_count for m in library.modules)
    print(f"library: {len(library.modules)} modules, {steps} steps")
    measure("check/load all modules (files -> modules)",
            lambda: load_library([modules], media), rounds)

    with tempfile.TemporaryDirectory() as tmp:
        config = {"ENV_NAME": "development", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                  "MODULES_DIR": modules, "MEDIA_DIR": media}
        app = create_app(config)
        measure("create_app (warm database, nothing to publish)",
                lambda: create_app(config), max(3, rounds // 4))
        client = app.test_client()
        measure("GET / (module library)", lambda: client.get("/"), rounds)
        for module in library.modules:
            measure(f"GET /modules/{module.id}",
                    lambda m=module: client.get(f"/modules/{m.id}"), rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
