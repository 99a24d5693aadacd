"""The variant matrix of a template: few valid combinations of answers that cover every
pair (or triple) of choices, the variants ``gofactory matrix`` prints and the tests build.

* ``covering``: covering arrays under constraints, on level indices only (no Copier);
* ``questionnaire``: Copier's judgement of a combination of answers (the oracle);
* ``variants``: the matrix of a template, built from the two.
"""

from gofactory.matrix.questionnaire import Factor, Questionnaire, Verdict
from gofactory.matrix.variants import (
    Matrix,
    Refusal,
    Variant,
    answers_file,
    build_matrix,
    is_off,
    variant_id,
)

__all__ = [
    "Factor",
    "Matrix",
    "Questionnaire",
    "Refusal",
    "Variant",
    "Verdict",
    "answers_file",
    "build_matrix",
    "is_off",
    "variant_id",
]
