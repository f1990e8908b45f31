"""Independent certificates: each recomputes, from the raw instance fields and the answer alone,
that the answer solves the problem the statement names (feasibility, stationarity,
complementarity, a duality gap), with a tolerance derived from the problem's scale.

Nothing here calls the project's solvers or models (``theorems.audit`` walks every function a
certificate reaches and rejects any path into ``models`` or the rest of ``solvers``): a helper
shared with the solver, such as the one forming y_i x_i, would let a bug in it pass on both sides.
numpy and scipy are shared by design. Every certificate has a unit test that feeds it a wrong
answer (a 1e-6 relative perturbation, a forgotten start, dropped labels, the wrong root) and
asserts that it is rejected (``tests/test_certify_*.py``).

The engine calls these through :attr:`theorems.contract.Claim.verify`, never the solver.
"""
