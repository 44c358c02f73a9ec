"""Engine latency and memory for one ID photo from a 12-megapixel upload.

    .venv/bin/python tests/bench/engine.py [--runs 20] [--size 295x413] [--change-bg 0|1]

Builds a 4000x3000 JPEG from Grace Hopper's portrait (ships with matplotlib), upscaled so
her head is as large as in a phone photo and padded with her backdrop, warms the models up,
then times ``make_id_photo`` over warm runs. Prints p50/p95 seconds, the process's peak
RSS, the peak of its private memory during the runs (see PrivatePeak) and how much of the
RSS is private at the end. Targets on 2 cores: p50 <= 0.25 s, peak RSS <= 400 MB. Other processes on the machine skew the times: the CPU load average is printed
alongside.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def twelve_megapixel_portrait() -> bytes:
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        grace = Image.open(handle).convert("RGB")
    person = grace.resize((2560, 3000), Image.LANCZOS)
    canvas = Image.new("RGB", (4000, 3000), grace.getpixel((500, 20)))
    canvas.paste(person, (720, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def rss_split_mb() -> dict[str, float] | None:
    """The process's resident memory now, private vs mapped from files (Linux only).

    The file-mapped part is shared library code (MediaPipe, OpenCV, onnxruntime) that the
    kernel maps around each page touched: it varied by about 50 MB between otherwise
    identical runs here, with what the page cache held, and is shared with other processes.
    """
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").open())
    except OSError:
        return None
    kb = {key: int(fields[key].split()[0]) for key in ("RssAnon", "RssFile") if key in fields}
    if len(kb) < 2:
        return None
    return {"anon": kb["RssAnon"] / 1024, "file": kb["RssFile"] / 1024}


class PrivatePeak:
    """The largest private (anonymous) resident memory seen while running, sampled every
    5 ms on a thread (a photo's buffers live for tens of ms). ru_maxrss also counts the
    library code mapped from files, which depends on the kernel and the page cache: under
    Linux 6.18, right after installing, 217 MB of it against 128 MB in later runs, for the
    same code."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            split = rss_split_mb()
            if split is None:
                return
            self.peak_mb = max(self.peak_mb, split["anon"])
            self._stop.wait(0.005)

    def __enter__(self) -> PrivatePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--size", default="295x413")
    parser.add_argument("--change-bg", type=int, default=1)
    args = parser.parse_args()

    from photos.engine.params import PhotoRequest
    from photos.engine.pipeline import make_id_photo

    width, height = (int(v) for v in args.size.split("x"))
    request = PhotoRequest(px_width=width, px_height=height, change_bg=bool(args.change_bg))
    source = twelve_megapixel_portrait()
    print(f"source: 4000x3000 JPEG, {len(source) / 1e6:.1f} MB; output {width}x{height}")

    started = time.perf_counter()
    make_id_photo(source, request)  # loads the models
    print(f"first run (model load included): {time.perf_counter() - started:.2f} s")
    make_id_photo(source, request)

    times = []
    cpu_started = time.process_time()
    with PrivatePeak() as private:
        for _ in range(args.runs):
            started = time.perf_counter()
            make_id_photo(source, request)
            times.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started) / args.runs

    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"runs: {args.runs}")
    print(f"p50: {statistics.median(times):.3f} s")
    print(f"p95: {p95:.3f} s")
    print(f"min: {times[0]:.3f} s, CPU per run: {cpu:.3f} s")
    print(f"peak RSS: {peak_mb:.0f} MB")
    if private.peak_mb:
        print(f"peak private memory during the runs: {private.peak_mb:.0f} MB")
    split = rss_split_mb()
    if split:
        print(
            "RSS after the runs: {anon:.0f} MB private (models, buffers), "
            "{file:.0f} MB mapped library and model files".format(**split)
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
