"""Optimizer geometry on least squares: when the limit depends on the step size.

Gunasekar, Lee, Soudry, Srebro 2018a ("Characterizing implicit bias in terms of optimization
geometry", ICML), sec. 2-3; notes 001 (Srebro, "Implicit bias in least squares": AdaGrad and
steepest descent "depend on stepsize, init, momentum"; "Different asymptotics": for losses with an
attainable minimum the limit depends on w0 and eta) and 002 (Montufar, "Mirror descent",
"Reparametrization and change of geometry"). On L(w) = 1/2||Xw - y||^2 (X m x d, m < d, rank m):

* gradient descent and mirror descent land on argmin ||w - w0||_2, resp. argmin D_psi(w, w0),
  s.t. Xw = y for every convergent step size (their increments keep w - w0, resp.
  grad psi(w) - grad psi(w0), in row(X));
* steepest descent w.r.t. a non-Euclidean norm, AdaGrad, natural gradient with finite steps and
  mirror descent with (primal) momentum leave that structure, and their limit moves with eta.

The four ``*-step-dependence`` claims encode the statement "the limit does not depend on eta" for
those methods, ``expected="fails"``; the control is GD (for steepest descent and AdaGrad) or mirror
descent without momentum (for natural gradient and momentum), which must pass the same check on the
same instances. ``natural-gradient-flow-mirror-flow`` (holds): as eta -> 0 natural gradient becomes
the flow w' = -[hess psi(w)]^{-1} grad L(w), i.e. d/dt grad psi(w) = -grad L(w), the mirror flow;
integrated as an ODE it lands on the Bregman projection (certified reference).

The check of the step-size claims. The method runs from w0 at every step size eta_k of the instance
(``eta_fracs``, ascending, times the method's own step scale; all K runs in one batch) until the
relative residual reaches the attainable floor. With w_k the final iterates and w_1 the one of the
smallest step, the statement predicts w_k = w_1 (+ shift ||w_1|| u_k for a resolution mutant, u_k a
fixed random unit vector). For each k, gap_k = ||w_k - w_1 - shift ||w_1|| u_k|| is held to
e_1 + e_k, e_k a bound on ||w_k - w_inf(eta_k)|| derived per method:
* GD: ||X^+ (X w_k - y)|| (the whole remaining motion lies in row(X)) + round-off drift
  8 u sqrt(T + 1) max_t ||w_t||;
* mirror descent: 2 ||H X^T (X H X^T)^{-1} (X w_k - y)|| (the distance to the interpolation set
  along the mirror manifold, H = [hess psi(w_k)]^{-1}) + ||H|| ||N^T (theta_T - theta_0)|| (the
  round-off drift of the dual iterate out of theta_0 + row(X), N a null-space basis) + 10 ulp;
* the other methods (limit unknown): ||X^+ (X w_k - y)|| + the movement over the last 10% of the
  run (a linear-rate proxy for the remaining motion) + the round-off drift.
The instance's gap and tolerance are those of the k with the largest gap_k / (e_1 + e_k); all terms
are measured on the runs (``run_budget``, capped at the declared resolution). A run that does not
reach relative residual max(1e-11, 100 u cond(X) (||X|| ||w|| + ||y||) / ||y||), or leaves the
potential's domain, makes the instance inconclusive. Step scales: 2 / sigma_max(X)^2 (GD),
2 / L_p with L_p an upper bound on the l_p smoothness (steepest descent), max_j |(X^+(y - Xw0))_j|
(AdaGrad, whose first step moves every coordinate by eta), 1 / L and (1 - beta) / L with L the
largest dual curvature lambda_max(X [hess psi(w)]^{-1} X^T) at w0 and at the Bregman projection
(natural gradient and mirror descent; with momentum, the same effective step eta / (1 - beta)).
Mirror descent with momentum is our reading of the paper's eq. (8) (the Fig. 1a caption names the
two momentum parameters beta_t, gamma_t of a "primal momentum"; the equation itself was not
retrieved).

What the checks found (measured, see the claims' details):
* with a single observation (m = 1) the gradient X^T r = x r keeps one direction, so every l_p
  steepest-descent step and every AdaGrad step moves along one fixed line: their limit is the same
  at every step size (spread ~1e-15), e.g. on the paper's data set {([1, 2], 1)}; the dependence
  needs m >= 2 (natural gradient and momentum depend on eta already at m = 1);
* l_inf and l_1 steepest descent are piecewise: while the sign pattern of the gradient (l_inf) or
  the greedy coordinate (l_1) stays fixed, the iterates move on one line whatever eta is, so two
  small step sizes can give the identical limit (in 300 draws: 15 of 90 l_inf instances with
  m >= 2, 17 of 25 l_1 ones); the smooth l_4/3 norm (47 of 47) and AdaGrad (187 of 187) showed a
  dependence on every drawn instance with m >= 2;
* the natural gradient flow in w for the potential 1/2||w||_p^2 (1 < p < 2) is not Lipschitz where a
  coordinate crosses 0 ([hess psi(w)]^{-1} ~ |w_j|^{2-p}), so its solution is not unique there; the
  integrated path drifts off the mirror flow by 4e-8 to 9e-5 (relative) on instances whose path
  crosses 0, which is why the flow claim covers the entropies only.
"""
from __future__ import annotations

CATALOGUE_ENTRY = 12  # catalogue entry (the order of families in lists and reports)

# each submodule registers its claims when imported: the step-size claims first, then the flow
from . import steps  # noqa: E402,F401
from . import flow  # noqa: E402,F401
