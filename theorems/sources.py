"""The lecture notes the claims cite, by author and title.

Claims cite the notes as "note 000" ... "note 004" (the numbering of the course material the suite
was built from); this table names them, so a reader without that material knows what is cited.
The report prints it and ``claims show`` resolves a claim's note numbers through it.
"""
from __future__ import annotations

import re

NOTES: dict[str, str] = {
    "000": "N. Srebro, slides: implicit bias overview (matrix completion, linear convolutional nets, "
           "infinite-width ReLU nets, benign overfitting)",
    "001": "N. Srebro, \"Inductive bias, generalization and the role of optimization in deep learning\", slides "
           "(least squares, logistic regression on separable data, steepest and coordinate descent, conv nets)",
    "002": "G. Montúfar, \"Deep learning - parameters and functions: implicit biases\", slides, 48th Winter "
           "Conference in Statistics, Hemavan, 2024 (Theorems 1-4; Jin & Montúfar's Theorems 5-9, Prop. 7)",
    "003": "NYU Tandon, \"Foundations of Deep Learning\", Spring 2022, lecture notes, ch. 7 \"Implicit "
           "regularization\" (pseudo-inverse, SVM, diagonal linear nets and l1)",
    "004": "N. Srebro, slides: kernel vs rich regimes (Q_alpha, R_alpha, depth-D, width and initialization, "
           "logistic loss transition, matrix sensing)",
}

def notes_cited(text: str) -> list[str]:
    """The note numbers a source string cites: every 000-004 after its first mention of "note"
    (e.g. "notes 001 'Logistic ...', 002 'Theorem 3'" -> ["001", "002"])."""
    m = re.search(r"\bnotes?\b", text, flags=re.IGNORECASE)
    if m is None:
        return []
    out: list[str] = []
    for n in re.findall(r"\b0\d\d\b", text[m.start():]):
        if n in NOTES and n not in out:
            out.append(n)
    return out


__all__ = ["NOTES", "notes_cited"]
