"""The trainee's deployment, saved so nothing is lost on reload, and read back (CLI too).

A deployment is saved as small JSON: its stages, its cohort and every lever that is not at
rest (``{"stages": [...], "cohort": {...}, "levers": {...}}``). Reading one back checks
every part and every value with the standard messages, so a hand-edited or hostile file
gives one clear line, never a half-built deployment. :class:`DeploymentStore` keeps one
file per trainee the way reflections are kept (atomic writes, the same trainee names).
"""

from __future__ import annotations

import json
from pathlib import Path

from .._validation import TeachkitError
from ..reflections import ReflectionStore, trainee_slug
from ..stages import Deployment, all_stages

__all__ = ["deployment_to_json", "deployment_from_json", "DeploymentStore",
           "MAX_DEPLOYMENT_CHARS"]

#: A saved deployment is a few hundred characters; refuse anything much larger.
MAX_DEPLOYMENT_CHARS = 20_000
_KEYS = {"stages", "cohort", "levers"}
_COHORT = ("n", "seed", "setting")


def deployment_to_json(deployment: Deployment) -> str:
    """The deployment as JSON text (only levers not at rest are written).

    Examples
    --------
    >>> d = Deployment(("consent", "oversight"), model="logistic", oversight="dropped")
    >>> deployment_from_json(deployment_to_json(d)) == d
    True
    """
    s = deployment.settings
    return json.dumps({"stages": list(deployment.stages),
                       "cohort": {k: getattr(s, k) for k in _COHORT},
                       "levers": deployment.changed_levers()}, indent=1, sort_keys=True)


def deployment_from_json(text: str) -> Deployment:
    """A deployment from :func:`deployment_to_json`'s text, every value checked.

    Raises
    ------
    TeachkitError
        One line naming what is wrong and what is allowed.

    Examples
    --------
    >>> deployment_from_json('{"stages": ["oversight"], "levers": {"oversight": "maybe"}}')
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'oversight' parameter of Deployment must be \
one of 'review', 'model_alone', 'dropped'. Got 'maybe' instead.
    """
    if not isinstance(text, str) or len(text) > MAX_DEPLOYMENT_CHARS:
        raise TeachkitError("A saved deployment must be JSON text of at most "
                            f"{MAX_DEPLOYMENT_CHARS:,} characters.")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TeachkitError(f"A saved deployment must be JSON; this is not ({exc}).") \
            from None
    if not isinstance(data, dict) or not set(data) <= _KEYS or "stages" not in data:
        raise TeachkitError("A saved deployment must be a JSON object with 'stages' and "
                            "optionally 'cohort' and 'levers'. Got "
                            f"{sorted(data) if isinstance(data, dict) else type(data).__name__}"
                            " instead.")
    stages, cohort, levers = data["stages"], data.get("cohort", {}), data.get("levers", {})
    known = sorted(stage.name for stage in all_stages())
    if not isinstance(stages, list) or not all(s in known for s in stages):
        raise TeachkitError(f"'stages' must be a list of stage names among {known}. Got "
                            f"{stages!r} instead.")
    if not isinstance(cohort, dict) or not set(cohort) <= set(_COHORT):
        raise TeachkitError(f"'cohort' must be an object with keys among {list(_COHORT)}. "
                            f"Got {cohort!r} instead.")
    if not isinstance(levers, dict):
        raise TeachkitError(f"'levers' must be an object of lever names and values. Got "
                            f"{type(levers).__name__} instead.")
    try:
        return Deployment(tuple(stages), **cohort, **levers)
    except TypeError as exc:  # an unknown lever name
        raise TeachkitError(f"{exc}") from None


class DeploymentStore(ReflectionStore):
    """Trainees' deployments on disk: ``root/deployments/<lesson>/<trainee>.json``.

    Saved atomically like reflections; the last save wins (a deployment is one value, not
    text to merge).

    Examples
    --------
    >>> import tempfile
    >>> store = DeploymentStore(tempfile.mkdtemp())
    >>> d = Deployment(("oversight",), oversight="dropped")
    >>> _ = store.save_deployment("Ana", d)
    >>> store.load_deployment("ana") == d
    True
    >>> store.load_deployment("Ben") is None
    True
    """

    LESSON = "07"

    def path(self, lesson: str, trainee: str) -> Path:
        return (self.root / "deployments" / trainee_slug(lesson)
                / f"{trainee_slug(trainee)}.json")

    def save_deployment(self, trainee: str, deployment: Deployment):
        return self.save(self.LESSON, trainee, deployment_to_json(deployment))

    def load_deployment(self, trainee: str) -> Deployment | None:
        """The trainee's saved deployment, or None if they have saved none yet."""
        text = self.load(self.LESSON, trainee)
        return deployment_from_json(text) if text else None
