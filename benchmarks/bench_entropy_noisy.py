"""entropy_noisy at n = 2e4, d = 10: wall time and peak memory (one run, in a subprocess).

Peak memory is the child's peak resident set size (``_util.peak_rss_mb``, VmHWM), so it
includes the Python + torch baseline, which is reported separately (measured just before
the call). Goal: peak < 1 GB. `--chunks` also times several block sizes (the measurement
behind the default in revinfo/estimate/_pairwise.py). `--json` prints one JSON object.

    python benchmarks/bench_entropy_noisy.py [--json] [--chunks] [--n 20000] [--d 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
import torch
sys.path.insert(0, sys.argv[4])
from _util import peak_rss_mb
torch.set_num_threads(2)
from revinfo.estimate import entropy_noisy
n, d, chunk = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
chunk = None if chunk == "default" else int(chunk)
z = torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(12345))
base = peak_rss_mb()
t0 = time.perf_counter()
e = entropy_noisy(z, 0.5, seed=0, chunk=chunk)
dt = time.perf_counter() - t0
peak = peak_rss_mb()
print(json.dumps({"n": n, "d": d, "chunk": chunk, "seconds": dt, "value": e.value,
                  "stderr": e.stderr, "baseline_mb": base, "peak_mb": peak}))
"""


def run(n: int, d: int, chunk: str) -> dict:
    here = str(Path(__file__).resolve().parent)
    res = subprocess.run([sys.executable, "-c", CHILD, str(n), str(d), chunk, here],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--chunks", action="store_true", help="also time other block sizes")
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--d", type=int, default=10)
    args = ap.parse_args()
    out = {"default": run(args.n, args.d, "default")}
    out["default"]["under_1gb"] = out["default"]["peak_mb"] < 1024
    if args.chunks:
        out["chunks"] = [run(args.n, args.d, str(max(1, 2**p // args.n))) for p in (18, 20, 22, 24)]
    if args.json:
        print(json.dumps(out, indent=2))
        return
    r = out["default"]
    print(f"entropy_noisy n={r['n']} d={r['d']}: {r['seconds']:.2f}s, value {r['value']:.4f} "
          f"+- {r['stderr']:.4f}; peak RSS {r['peak_mb']:.0f} MB (baseline after imports "
          f"{r['baseline_mb']:.0f} MB; under 1 GB: {r['under_1gb']})")
    for c in out.get("chunks", []):
        print(f"  chunk {c['chunk']:>5} rows: {c['seconds']:.2f}s  peak {c['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
