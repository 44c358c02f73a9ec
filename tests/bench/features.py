"""What each optional effect adds to an ID photo's time, at the US visa's 602x602.

    .venv/bin/python tests/bench/features.py [--runs 7]

Times ``make_id_photo`` on Grace Hopper's portrait (ships with matplotlib, 512x600) plain,
with all four beauty effects, with an outfit, and with a print sheet and a label, and
prints each p50 with its difference from the plain photo. A slow effect shows here before
a customer waits for it (thin face once took 2.4 s of a 3.2 s photo on this machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

EFFECTS = {
    "plain": {},
    "beauty (bright, smooth, thin face, sharp 0.5)": dict(
        bright=0.5, smooth=0.5, thin_face=0.5, sharp=0.5
    ),
    "outfit man_1": dict(clothes_id="man_1"),
    "print sheet and label": dict(layout=True, add_label=True, label_text="GRACE HOPPER"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from matplotlib import cbook

    from photos.engine.params import PhotoRequest
    from photos.engine.pipeline import make_id_photo

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        source = handle.read()
    print(f"Grace Hopper 512x600 to the US visa 602x602, p50 of {args.runs} warm runs")
    plain = None
    for name, extra in EFFECTS.items():
        request = PhotoRequest(px_width=602, px_height=602, **extra)
        make_id_photo(source, request)  # warm: models, outfit assets
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            make_id_photo(source, request)
            times.append(time.perf_counter() - started)
        p50 = statistics.median(times)
        plain = p50 if plain is None else plain
        added = "" if name == "plain" else f"  (+{p50 - plain:.3f} s)"
        print(f"{name:48} {p50:.3f} s{added}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
