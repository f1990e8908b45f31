"""Deeper architectures on separable data (catalogue entry 9): deep linear nets, linear conv nets,
multiclass softmax, the regularization path of GD, homogeneous nets' smoothed margin, aggressive
step schedules. One module per sub-family; the claims are registered here (so the registry
attributes them to this package and orders them by its catalogue entry)."""
from __future__ import annotations

CATALOGUE_ENTRY = 9

from solvers.certify import deeper as _cert  # noqa: E402

from ...registry import register  # noqa: E402
from . import conv, deep_linear, fast_rate, homogeneous, multiclass, regularization_path  # noqa: E402

register(
    deep_linear.CLAIM.with_(verify=_cert.l2_max_margin),
    conv.DEPTH2.with_(verify=_cert.dft_l1_max_margin),
    conv.DEEP,
    regularization_path.CLAIM.with_(verify=_cert.margin_projections),
    fast_rate.CLAIM.with_(verify=_cert.l2_max_margin),
    multiclass.CLAIM.with_(verify=_cert.crammer_singer),
    homogeneous.CLAIM,
    homogeneous.ERRATUM,
)
