"""The consent stage: who the model may learn from, registered as a :class:`Stage`.

When consent is honoured, the records of the patients who did not agree under the
design are removed from what the model learns (every patient is still scored and cared
for). :class:`ConsentSettings` is the name lesson 03 gives a deployment that runs this
stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..levers import bound_groups, call_bound
from ..stages import Deployment, Stage, get_stage, register_stage

__all__ = ["ConsentSettings", "CONSENT_BASELINE_NAME", "CONSENT_STAGE"]

CONSENT_BASELINE_NAME = "the same model trained on every record"


#: Consent levers that change whose records leave the clinic, not who the model learns
#: from (the consent report reads them).
EXPOSURE_ONLY = frozenset({"secondary_use"})


def _training_rows(deployment: Deployment, records: pd.DataFrame) -> np.ndarray:
    """Who the model may learn from: the records every other consent lever's function
    keeps (:func:`~teachkit.levers.consent.train_on_consented`, and any lever added to
    the stage), each function given its levers' values unchanged."""
    keep = np.ones(len(records), dtype=bool)
    specs = [s for s in get_stage("consent").lever_specs if s.name not in EXPOSURE_ONLY]
    for group in bound_groups(specs):
        keep &= call_bound(group, deployment, records, seed=deployment.seed)
    return keep


def _baseline(deployment: Deployment):
    """One step back: honouring consent is compared with the same model trained on every
    record; otherwise the triage levers decide."""
    if deployment.consent == "honoured" and deployment.shapes_the_model:
        return {"consent": "ignored"}, CONSENT_BASELINE_NAME
    return None


def _run(deployment: Deployment, *, with_baseline: bool = True):
    from .report import run_consent

    return run_consent(deployment, with_baseline=with_baseline)


CONSENT_STAGE = register_stage(Stage(
    name="consent", title="Consent", order=10, baseline=_baseline, run=_run,
    training_rows=_training_rows))


class ConsentSettings(Deployment):
    """A deployment with the consent stage: lesson 03's name for it.

    Parameters
    ----------
    consent : {"ignored", "honoured"}, default="ignored"
        At rest every record trains the model (as in lessons 01 and 02); honoured, only
        the records of the patients who agreed under ``consent_design`` do.
    consent_design : {"opt_out", "layered", "opt_in"}, default="opt_out"
        How patients are asked (:func:`~teachkit.consent.consent_masks`).
    secondary_use : {"off", "partner", "advertiser"}, default="off"
        Whether records are also shared outside the clinic; it changes who is exposed,
        not the model.
    **kwargs
        Every field of :class:`teachkit.pipeline.Settings`.

    Examples
    --------
    >>> s = ConsentSettings(model="logistic", consent="honoured", consent_design="opt_in")
    >>> s.baseline()[1]
    'the same model trained on every record'
    >>> ConsentSettings().changed_levers()
    {}
    >>> ConsentSettings(consent="maybe")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'consent' parameter of ConsentSettings must \
be one of 'ignored', 'honoured'. Got 'maybe' instead.
    """

    __slots__ = ()
    STAGES = ("consent",)
