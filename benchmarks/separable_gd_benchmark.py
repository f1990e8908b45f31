"""Per-step cost of batched GD on separable data (issue 4): 64 instances, vs numpy's matmul floor.

Times ``models.separable.gd_separable_batched`` on a batch of B instances (each its own data,
m points in d dimensions) and, for scale, the two batched matrix products one step needs alone.
Prints microseconds per step, the ratio to the matmul floor, and the projected time to t = 1e6.

Run: python -m benchmarks.separable_gd_benchmark [--batch 64] [--m 8] [--d 5] [--steps 20000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from models.separable import gd_separable_batched


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--m", type=int, default=8)
    ap.add_argument("--d", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20000)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    Z = np.abs(rng.standard_normal((a.batch, a.m, a.d)))  # all margins positive: separable
    Z /= np.linalg.norm(Z, axis=(1, 2), ord=None, keepdims=True)
    w0 = np.zeros((a.batch, a.d))
    run = gd_separable_batched(Z, w0, 0.5, a.steps, losses=("exp",))
    per_step = run.info["seconds_per_step"]
    z, g, w3 = np.empty((a.batch, a.m, 1)), np.empty((a.batch, a.d, 1)), w0[:, :, None].copy()
    ZT = np.swapaxes(Z, 1, 2)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        np.matmul(Z, w3, out=z)
        np.matmul(ZT, z, out=g)
    floor = (time.perf_counter() - t0) / a.steps
    out = {"us_per_step": per_step * 1e6, "matmul_floor_us": floor * 1e6, "ratio": per_step / floor,
           "projected_seconds_to_1e6": per_step * 1e6}
    print(f"batched GD, {a.batch} instances of {a.m} x {a.d}: {out['us_per_step']:.1f} us/step; "
          f"two batched matmuls alone: {out['matmul_floor_us']:.1f} us/step (ratio {out['ratio']:.2f}); "
          f"t = 1e6 takes ~{out['projected_seconds_to_1e6']:.0f} s")
    return out


if __name__ == "__main__":
    main()
