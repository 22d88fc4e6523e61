"""Sampling 1e5 pairs of 32x32 blob images (revinfo.tasks.images): time against the 10 s goal.

Draws n pairs of ``image-blob32-k3-rho0.8`` in chunks (``task.sample(chunk, seed=i)``, each
chunk a float64 (chunk, 1024) pair), best of --repeats. References measured in the same run:
the latent Gaussian pair alone (the sampling without rendering) and writing the same number
of float64 pixels with ``np.multiply`` (the memory-bandwidth floor of any renderer).

    python benchmarks/bench_images.py [--n 100000] [--chunk 10000] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_time, emit

from revinfo import tasks
from revinfo.tasks import images

GOAL_S = 10.0
TASK = "image-blob32-k3-rho0.8"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    task = tasks.get(TASK)
    sizes = [min(args.chunk, args.n - i) for i in range(0, args.n, args.chunk)]
    pair = images.latent_pair(3, 0.8)

    def sample_images():
        for i, m in enumerate(sizes):
            x, y = task.sample(m, seed=i)
        return x, y

    def sample_latents():
        for i, m in enumerate(sizes):
            pair.sample(m, np.random.default_rng(i))

    a = np.ones((args.chunk, 32, 1))
    b = np.ones((args.chunk, 1, 32))

    def write_floor():
        for m in sizes:
            np.multiply(a[:m], b[:m])
            np.multiply(a[:m], b[:m])

    t_img = best_time(sample_images, args.repeats)
    x, _ = sample_images()
    emit({
        "task": TASK,
        "pairs": args.n,
        "chunk": args.chunk,
        "image shape, dtype": f"{images.as_images(x, 32).shape[1:]}, {x.dtype}",
        "seconds (best of repeats)": t_img,
        "goal seconds": GOAL_S,
        "time / goal (< 1 meets it)": t_img / GOAL_S,
        "pairs per second": args.n / t_img,
        "latent sampling alone, seconds": best_time(sample_latents, args.repeats),
        "pixel-write floor, seconds": best_time(write_floor, args.repeats),
    }, args.json)


if __name__ == "__main__":
    main()
