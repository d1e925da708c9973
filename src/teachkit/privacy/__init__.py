"""Privacy (lesson 03): release "de-identified" data, attack it, and protect it.

A hospital hands a research partner a table with names removed. This package shows why
that is not enough, and what the protections cost:

- :mod:`~teachkit.privacy.quasi`: quasi-identifiers (ZIP code, date of birth, sex...),
  their generalisation hierarchies, :func:`k_anonymity` and :func:`equivalence_classes`;
- :mod:`~teachkit.privacy.release`: the levers (:class:`Release`) and the table that
  leaves the hospital (:func:`make_release`), made k-anonymous by coarsening details and
  withholding the patients who still stand out;
- :mod:`~teachkit.privacy.town`: the town the patients live in, with ZIP codes of
  realistic size (87 % of its adults unique on ZIP5 + birth date + sex, as Sweeney found);
- :mod:`~teachkit.privacy.attack`: a synthetic voter roll of that town
  (:func:`public_register`) and the linkage attack that names patients
  (:func:`linkage_attack`);
- :mod:`~teachkit.privacy.dp`: published counts with differential-privacy noise through
  OpenDP (:func:`dp_counts`), and who loses accuracy (:func:`dp_utility`);
- :mod:`~teachkit.privacy.run`: :func:`run_release`, the one path from the levers to a
  :class:`ReleaseResult` (what the lesson's lab shows).

Every patient and every person on the register is synthetic.

Examples
--------
>>> from teachkit.privacy import Release, run_release
>>> from teachkit.cohort import make_cohort
>>> result = run_release(Release(release_zip="zip3", release_birth="year"),
...                      make_cohort(2_000, seed=9))
>>> result.k, result.attack.linked_on
(1, ('zip', 'birth', 'sex'))
"""

from .attack import AttackResult, linkage_attack, public_register
from .dp import count_table, dp_counts, dp_measurement, dp_utility
from .quasi import equivalence_classes, k_anonymity
from .release import HospitalKey, Release, make_release
from .run import ReleaseResult, data_flow, run_release

__all__ = [
    "AttackResult",
    "HospitalKey",
    "Release",
    "ReleaseResult",
    "count_table",
    "data_flow",
    "dp_counts",
    "dp_measurement",
    "dp_utility",
    "equivalence_classes",
    "k_anonymity",
    "linkage_attack",
    "make_release",
    "public_register",
    "run_release",
]
