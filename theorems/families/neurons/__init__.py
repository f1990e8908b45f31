"""Neurons and wide nets beyond Theorem 5 (catalogue entry 11): one module per sub-family.

* :mod:`.trajectory` -- the training trajectory and the smoothing spline (Jin & Montufar 2023, Remark 5);
* :mod:`.activation` -- activations x_+^k / k! and degree-2k+1 curvature splines (Cor 4; note 002 Thm 9);
* :mod:`.radon` -- d = 2 inputs and the Radon-domain penalty (Thm 6; note 002 Thm 8), an open claim;
* :mod:`.spline_error` -- note 002's h^4 spline-error bound (an erratum) and its correction;
* :mod:`.weight_decay` -- Savarese et al. 2019's min cost and trained nets with weight decay;
* :mod:`.single_neuron` -- single neurons (note 003; Vardi & Shamir 2021);
* :mod:`.balancedness` -- per-unit invariants of two-layer homogeneous nets (Du, Hu & Lee 2018).

Claims are registered here (so the registry attributes them to this family and orders them by
:data:`CATALOGUE_ENTRY`).
"""
from __future__ import annotations

CATALOGUE_ENTRY = 11  # catalogue entry (the order of families in lists and reports)

from ...registry import register
from . import activation, balancedness, radon, single_neuron, spline_error, trajectory, weight_decay

register(*trajectory.CLAIMS, *activation.CLAIMS, *radon.CLAIMS, *spline_error.CLAIMS, *weight_decay.CLAIMS, *single_neuron.CLAIMS, *balancedness.CLAIMS)
