"""teachkit: a teaching lab for the ethics of AI in mental-health care.

The pipeline: ``make_cohort`` -> levers -> triage model -> stages (consent, oversight,
release, ...) -> consequences; :class:`teachkit.stages.Deployment` holds a whole
deployment and :func:`teachkit.stages.run` runs it (docs/ARCHITECTURE.md). All data
teachkit makes is synthetic.
"""

from ._validation import TeachkitError
from .cohort import make_cohort

__version__ = "0.1.0"
__all__ = ["TeachkitError", "make_cohort", "__version__"]
