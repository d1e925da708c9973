"""teachkit: a teaching lab for the ethics of AI in mental-health care.

The pipeline: ``make_cohort`` -> levers -> triage model -> deployment -> consequences.
All data teachkit makes is synthetic.
"""

from ._validation import TeachkitError
from .cohort import make_cohort

__version__ = "0.1.0"
__all__ = ["TeachkitError", "make_cohort", "__version__"]
