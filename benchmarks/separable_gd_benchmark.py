"""Per-step cost of batched GD on separable data (issue 4): 64 instances, vs numpy's matmul floor;
and of the steepest-descent loop (issue 12), vs the textbook loop it replaced.

Times ``models.separable.gd_separable_batched`` on a batch of B instances (each its own data,
m points in d dimensions) and, for scale, the two batched matrix products one step needs alone.
Prints microseconds per step, the ratio to the matmul floor, and the projected time to t = 1e6.

``--steepest``: times ``models.separable.steepest_descent_log_domain`` (p = 1 and p = inf, step
c = 1/20 as in the steepest-descent claims, on a 6 x 4 instance of the claims' strategy) against
:func:`textbook_steepest_descent` -- the loop as first written (softmax, dual norm and
logsumexp recomputed from scratch each step) -- checks that both produce the same iterates, and
prints microseconds per step and the ratio.

Run: python -m benchmarks.separable_gd_benchmark [--batch 64] [--m 8] [--d 5] [--steps 20000] [--steepest]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from scipy.special import logsumexp, softmax

from models.separable import gd_separable_batched, steepest_descent_log_domain, steepest_direction


def textbook_steepest_descent(Z, w0, p, c, steps):
    """w <- w + (c ||q||_* / B^2) d(q), q = Z^T softmax(-Z w), each step from scratch (the reference)."""
    dual_p = {1: np.inf, 2: 2, np.inf: 1}[p]
    B = float(np.max(np.linalg.norm(Z, dual_p, axis=1)))
    w = np.array(w0, float, copy=True)
    for _ in range(steps):
        q = Z.T @ softmax(-(Z @ w))
        d, dual = steepest_direction(q, p)
        w += (c * dual / B**2) * d
    return w, float(-logsumexp(-(Z @ w)))


def steepest(steps: int = 20000) -> dict:
    from solvers.svm import signed_data
    from theorems.strategies.separable import separable_data

    X, y, _ = separable_data(np.random.default_rng(1), 6, 4, 3, gamma=0.5)
    Z = signed_data(X, y)
    out = {}
    for p, name in ((1, "l1"), (np.inf, "linf")):
        t0 = time.perf_counter()
        w_ref, s_ref = textbook_steepest_descent(Z, np.zeros(4), p, 0.05, steps)
        ref = (time.perf_counter() - t0) / steps
        # stop where the textbook loop stopped: the last checkpoint is then the final iterate
        run = steepest_descent_log_domain(Z, np.zeros(4), p, s_ref - 1e-9, c=0.05, max_steps=steps, n_checkpoints=2)
        fast = run.seconds / max(run.info["steps"], 1)
        rel = float(np.linalg.norm(run.w[-1] - w_ref) / np.linalg.norm(w_ref)) if len(run.w) else float("nan")
        out[name] = {"us_per_step": fast * 1e6, "textbook_us_per_step": ref * 1e6, "speedup": ref / fast,
                     "same_iterate_rel": rel, "log_inverse_loss": run.info["reached"], "textbook_log_inverse_loss": s_ref}
        print(f"steepest descent {name}, 6 x 4, c = 1/20: {fast * 1e6:.1f} us/step vs the textbook loop {ref * 1e6:.1f} us/step "
              f"(x{ref / fast:.1f}); after {run.info['steps']} / {steps} steps log(1/L) = {run.info['reached']:.6f} (textbook "
              f"{s_ref:.6f}), final iterates differ by {rel:.1e} relative")
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--m", type=int, default=8)
    ap.add_argument("--d", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--steepest", action="store_true", help="time the steepest-descent loop instead")
    a = ap.parse_args(argv)
    if a.steepest:
        return steepest(a.steps)
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
