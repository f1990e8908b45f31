"""Side-by-side timing (issue 5): reaching argmin Q_alpha to ~1e-9 on a d = 100, m = 20 instance.

Route A (ours): gradient flow by LSODA with a residual event (models.diag_net) + the dual-Newton
reference (solvers.q_alpha). Route B (common in published code): plain small-step GD on w until the
loss is below 1e-10. Prints both times, the accuracy each reached, and the ratio B / A.

Run: python -m benchmarks.diag_net_benchmark [--alpha A] [--seed S]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from models.diag_net import diag_net_gradient_descent, diag_net_gradient_flow, gd_step_bound
from solvers.q_alpha import argmin_q_alpha


def main(argv=None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alpha", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--m", type=int, default=20)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--eta-frac", type=float, default=0.1,
                    help="GD step as a fraction of 1/smoothness, the smoothness taken at the larger of the start and "
                         "the solution's weight scale (w^2 ~ |beta*|)")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    X = rng.standard_normal((a.m, a.d)) / np.sqrt(a.d)
    y = rng.standard_normal(a.m)
    w0 = np.full(a.d, a.alpha)

    t0 = time.perf_counter()
    run = diag_net_gradient_flow(X, y, w0, w0, residual_target=1e-12 * np.linalg.norm(y))
    beta_ref, certs, _ = argmin_q_alpha(X, y, a.alpha, cross_check=False)
    t_ode = time.perf_counter() - t0
    gap_ode = np.linalg.norm(run.beta - beta_ref) / np.linalg.norm(beta_ref)

    w_scale = np.sqrt(np.maximum(np.abs(beta_ref), a.alpha**2))
    eta = a.eta_frac * gd_step_bound(X, w_scale, w_scale)
    t0 = time.perf_counter()
    gd = diag_net_gradient_descent(X, y, w0, w0, eta, loss_target=1e-10, max_steps=50_000_000)
    t_gd = time.perf_counter() - t0
    gap_gd = np.linalg.norm(gd.beta - beta_ref) / np.linalg.norm(beta_ref)

    print(f"d={a.d} m={a.m} alpha={a.alpha} seed={a.seed}")
    print(f"ODE (LSODA + event) + dual Newton: {t_ode:8.3f} s  rel. gap to argmin Q_alpha {gap_ode:.1e}  "
          f"(ODE steps {run.steps}, certificate valid {all(c.valid for c in certs)})")
    print(f"small-step GD until loss < 1e-10:  {t_gd:8.3f} s  rel. gap to argmin Q_alpha {gap_gd:.1e}  "
          f"(eta {eta:.2e}, {gd.steps} steps, converged {gd.converged})")
    ratio = t_gd / t_ode
    print(f"ratio GD(loss < 1e-10) / ODE+Newton: {ratio:.1f}x  (but GD is only {gap_gd:.0e}-accurate)")
    # GD misses by Theta(eta) (claim diag-net-gd-misses-by-eta): reaching 1e-9 needs eta, hence the
    # step count and time, scaled by gap_gd / 1e-9
    est = t_gd * max(gap_gd / 1e-9, 1.0)
    print(f"estimated GD time to 1e-9 accuracy (eta scaled by 1e-9/gap): {est:.3g} s, ratio {est / t_ode:.2g}x")
    return ratio


if __name__ == "__main__":
    main()
