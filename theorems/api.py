"""The public API for claim modules, in this package or in another one.

A claim module imports from here only::

    from theorems.api import (Assumption, Certificate, Claim, Evidence, Field, Figure, Mutant,
                              Resolution, Series, Verdict, far, near, memo, perturb_limit, register,
                              scale, shift)

and calls :func:`register` at import. Another package makes its module known through the entry
point group ``implicit_bias.claims`` in its ``pyproject.toml``::

    [project.entry-points."implicit_bias.claims"]
    my-claims = "my_package.claims"

Its claims then appear in ``claims list``, ``claims report``, ``claims compare`` and, with the
pytest plugin this package installs, in its own pytest run (``pytest --claims 'my-*'``). A claim
from another package is held to the same rules: a declared :class:`Resolution`, mutants, and a
``verify`` certificate that shares no code with its solver or model (for another package, keep it
in a module of its own and call only numpy/scipy from it).
"""
from __future__ import annotations

from solvers.certificate import Certificate

from .contract import (Assumption, Claim, Evidence, Field, Figure, Instance, InstanceError, Mutant, Resolution,
                       Series, Verdict, far, near)
from .memo import memo
from .published import Published, register_published
from .registry import register
from .resolution import moved, perturb_limit, scale, shift

__all__ = ["Assumption", "Certificate", "Claim", "Evidence", "Field", "Figure", "Instance", "InstanceError", "Mutant",
           "Published", "Resolution", "Series", "Verdict", "far", "memo", "moved", "near", "perturb_limit",
           "register", "register_published", "scale", "shift"]
