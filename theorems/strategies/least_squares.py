"""Instances for the least-squares family: (X, y, w0) plus the optimizer's own knobs.

Conditioning: first-order methods need ~kappa^2 log(1/tol) steps, so their instances keep
cond(X) <= 30 ("badly conditioned" for them; horizons stay under ~1e5 steps); CG, LSQR and
quasi-Newton get cond(X) up to 1e3-1e4.
"""
from __future__ import annotations

from hypothesis import strategies as st

from .matrices import seeds, underdetermined_system


@st.composite
def least_squares_instances(draw, names: tuple[str, ...], kappa_max: float = 30.0, losses: bool = False,
                            momentum: bool = False, sgd: bool = False):
    inst = draw(underdetermined_system(kappa_max=kappa_max))
    extra = {
        "eta_frac": st.floats(min_value=0.2, max_value=0.95),
        "beta": st.floats(min_value=0.0, max_value=0.9),
        "loss": st.integers(min_value=0, max_value=2),
        "seed": seeds(),
    }
    for name in names:
        if name in inst:
            continue
        if name == "batch":
            inst[name] = draw(st.integers(min_value=1, max_value=inst["X"].shape[0]))
        else:
            inst[name] = draw(extra[name])
    return inst
