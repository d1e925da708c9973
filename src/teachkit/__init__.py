"""teachkit: a teaching lab for the ethics of AI in mental-health care.

The pipeline: ``make_cohort`` -> levers -> triage model -> stages (consent, oversight,
release, ...) -> consequences; :class:`teachkit.stages.Deployment` holds a whole
deployment and :func:`teachkit.stages.run` runs it (docs/ARCHITECTURE.md). All data
teachkit makes is synthetic.
"""

from ._validation import TeachkitError

__version__ = "0.1.0"
__all__ = ["TeachkitError", "make_cohort", "__version__"]


def __getattr__(name: str):
    # make_cohort is imported when first asked for (PEP 562): ``import teachkit`` alone,
    # which every server, warm parent and grading run does first, then costs no pandas
    # or scipy import (about 1 s of CPU each).
    if name == "make_cohort":
        from .cohort import make_cohort

        return make_cohort
    raise AttributeError(f"module 'teachkit' has no attribute {name!r}")
