"""Per-patient explanations from shap's own explainers, for every model kind.

- rule: the usual rule's points are a sum (PHQ-9 total, plus 10 if item 9 is above
  zero), so ``shap.LinearExplainer`` explains it exactly from its coefficients;
- logistic and records: ``shap.LinearExplainer`` on the scaled inputs (log-odds);
- boosting: ``shap.TreeExplainer`` with ``feature_perturbation="interventional"``
  (log-odds).

No path uses the generic ``shap.Explainer``, whose numba compilation takes about 11 s
in every fresh kernel; shap itself is imported only here, on first use.

Every patient is explained by the model that scored them (the cross-fitting fold model
trained on the other half), so the explanation adds up to the score the dashboard
shows: ``base + attributions.sum() == output`` (log-odds, or the rule's scaled points).
For clinicians the log-odds are turned into **risk points** (percentage points of
risk): each input gets its share of the change from the reference risk to the
patient's risk, in proportion to its log-odds attribution (the points add up exactly;
their split is an approximation).

All data is synthetic.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._cache import Recent
from ..models import cross_fit_folds, fit_fold_models
from .features import explain_matrix, feature_names

__all__ = ["ExplainedModel", "Explanation", "fit_explained", "to_points",
           "importance_by_group"]

#: Rows of the reference group shap's tree explainer averages over.
TREE_BACKGROUND = 50
#: Patients sampled for the tree model's importance by group.
TREE_SAMPLE = 400
_RULE_MAX = 37.0


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class Explanation:
    """One patient's explanation.

    Attributes
    ----------
    patient : int
        The patient number (``patient_id``).
    features : tuple of str
    values : ndarray
        The patient's inputs.
    attributions : ndarray
        shap values in the model's output units (log-odds, or rule score).
    base : float
        shap's expected value: the reference group's output.
    output : float
        The model's output for this patient (``base + attributions.sum()``).
    points : ndarray
        The attributions in risk points (percentage points; rule points for the rule).
    risk, base_risk : float
        The patient's risk and the reference risk, in percent (rule points for the rule).
    unit : str
        ``"risk points"`` or ``"rule points"``.
    """

    patient: int
    features: tuple
    values: np.ndarray
    attributions: np.ndarray
    base: float
    output: float
    points: np.ndarray
    risk: float
    base_risk: float
    unit: str

    def table(self) -> pd.DataFrame:
        """Inputs, values, shap values and points, largest effect first."""
        table = pd.DataFrame({"value": self.values, "shap": self.attributions,
                              "points": self.points}, index=list(self.features))
        return table.reindex(table["points"].abs().sort_values(ascending=False).index)


def to_points(attributions, base, output, kind: str):
    """Attributions in risk points (percentage points) and the two risks, vectorised.

    Parameters
    ----------
    attributions : ndarray of shape (n, p)
    base : float or ndarray of shape (n,)
    output : ndarray of shape (n,)
    kind : str
        ``"rule"`` returns rule points (the rule's score is points / 37).

    Returns
    -------
    points : ndarray of shape (n, p)
    risk, base_risk : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> pts, risk, ref = to_points(np.array([[1.0, -0.5]]), -3.0, np.array([-2.5]),
    ...                            "logistic")
    >>> bool(np.isclose(pts.sum(), risk[0] - ref[0]))
    True
    """
    phi = np.atleast_2d(np.asarray(attributions, dtype=float))
    output = np.atleast_1d(np.asarray(output, dtype=float))
    base = np.broadcast_to(np.asarray(base, dtype=float), output.shape)
    if kind == "rule":
        return _RULE_MAX * phi, _RULE_MAX * output, _RULE_MAX * base
    risk, base_risk = 100 * _sigmoid(output), 100 * _sigmoid(base)
    total = phi.sum(axis=1)
    safe = np.abs(total) > 1e-9
    scale = np.where(safe, (risk - base_risk) / np.where(safe, total, 1.0),
                     risk * (100 - risk) / 100)
    return phi * scale[:, None], risk, base_risk


def _moments(X: np.ndarray) -> tuple:
    """The whole reference group's mean and covariance, for ``shap.LinearExplainer``.

    Given the rows themselves, shap's explainer keeps a sample of 100 of them
    (``maskers.Independent``'s ``max_samples``): the reference patient would be the
    average of 100 patients, not of the group the lever names.
    """
    return X.mean(axis=0), np.cov(X, rowvar=False)


@dataclass(eq=False)
class ExplainedModel:
    """The two cross-fitting models of a run, their inputs and shap explainers.

    Built by :func:`fit_explained`; explanations are computed on first use and cached
    per reference group.
    """

    kind: str
    features: tuple
    X: np.ndarray
    fold: np.ndarray
    models: tuple
    patient_ids: np.ndarray
    _explainers: Recent = field(default_factory=lambda: Recent(8), repr=False)
    _all: Recent = field(default_factory=lambda: Recent(4), repr=False)
    #: Recent answers by patient: explanations (:meth:`explain`) and counterfactuals
    #: (:func:`~teachkit.explain.counterfactual`), and importance tables by group; a
    #: lever that leaves the model and the reference group as they are shows the same
    #: patient again without recomputing.
    _recent: Recent = field(default_factory=lambda: Recent(32), repr=False)

    def remembered(self, key, compute):
        """``compute()``, or its answer kept under ``key`` (the last 32 answers)."""
        return self._recent.get_or(key, compute)

    # -- model output -------------------------------------------------------------------
    def _model_input(self, k, X):
        """What shap's explainer reads: the scaled inputs of a logistic pipeline."""
        if self.kind in ("logistic", "records"):
            return self.models[k][0].transform(X)
        return X

    def output(self, X, k) -> np.ndarray:
        """The output shap explains (log-odds, or the rule's score) of fold model ``k``."""
        if self.kind == "rule":
            coef = np.r_[np.ones(9), 10.0] / _RULE_MAX
            return X @ coef
        return self.models[k].decision_function(X)

    def scores(self) -> np.ndarray:
        """Every patient's risk (or rule score) from the fold model that scored them."""
        out = np.empty(len(self.X))
        for k in (0, 1):
            rows = self.fold == k
            z = self.output(self.X[rows], k)
            out[rows] = z if self.kind == "rule" else _sigmoid(z)
        return out

    # -- shap ---------------------------------------------------------------------------
    def explainer(self, k: int, background: np.ndarray):
        """shap's explainer for fold model ``k`` against ``background`` (row mask)."""
        key = (k, np.packbits(background).tobytes())
        return self._explainers.get_or(key, lambda: self._new_explainer(k, background))

    def _new_explainer(self, k: int, background: np.ndarray):
        import shap  # lazily: only lesson 05 pays for it

        rows = np.flatnonzero(background)
        if self.kind == "rule":
            coef = np.r_[np.ones(9), 10.0] / _RULE_MAX
            explainer = shap.LinearExplainer((coef, 0.0), _moments(self.X[rows]))
        elif self.kind in ("logistic", "records"):
            scaler, lr = self.models[k][0], self.models[k][-1]
            explainer = shap.LinearExplainer(lr, _moments(scaler.transform(self.X[rows])))
        else:
            pick = np.random.default_rng([len(rows), 41]).choice(
                rows, size=min(TREE_BACKGROUND, len(rows)), replace=False)
            explainer = shap.TreeExplainer(self.models[k], self.X[np.sort(pick)],
                                           feature_perturbation="interventional")
        return explainer

    def _shap(self, rows: np.ndarray, background: np.ndarray):
        """shap values, base values and outputs of ``rows`` (each by its own model)."""
        phi = np.empty((len(rows), len(self.features)))
        base = np.empty(len(rows))
        out = np.empty(len(rows))
        for k in (0, 1):
            take = self.fold[rows] == k
            if not take.any():
                continue
            X = self.X[rows[take]]
            explainer = self.explainer(k, background)
            values = explainer.shap_values(self._model_input(k, X) if self.kind != "rule"
                                           else X)
            phi[take] = np.asarray(values).reshape(take.sum(), -1)
            base[take] = float(np.ravel(explainer.expected_value)[0])
            out[take] = self.output(X, k)
        return phi, base, out

    def explain(self, patient: int, background: np.ndarray) -> Explanation:
        """One patient's explanation (``patient`` is a patient number, from 1); the same
        patient against the same reference group again is remembered."""
        key = ("explain", int(patient), np.packbits(background).tobytes())
        return self.remembered(key, lambda: self._explain(patient, background))

    def _explain(self, patient: int, background: np.ndarray) -> Explanation:
        index = self.index_of(patient)
        phi, base, out = self._shap(np.array([index]), background)
        points, risk, base_risk = to_points(phi, base, out, self.kind)
        return Explanation(int(patient), self.features, self.X[index].copy(), phi[0],
                           float(base[0]), float(out[0]), points[0], float(risk[0]),
                           float(base_risk[0]),
                           "rule points" if self.kind == "rule" else "risk points")

    def shap_explanation(self, patients, background: np.ndarray):
        """shap's own ``shap.Explanation`` for some patients (the developer view: use it
        with ``shap.plots``), in the model's output units."""
        import shap

        rows = np.array([self.index_of(p) for p in np.atleast_1d(patients)])
        phi, base, _ = self._shap(rows, background)
        return shap.Explanation(values=phi, base_values=base, data=self.X[rows],
                                feature_names=list(self.features))

    def index_of(self, patient: int) -> int:
        hits = np.flatnonzero(self.patient_ids == int(patient))
        if not len(hits):
            from .._validation import TeachkitError

            raise TeachkitError(f"No patient has the number {patient!r}: choose one from "
                                f"1 to {int(self.patient_ids.max()):,}.")
        return int(hits[0])

    def all_points(self, background: np.ndarray):
        """Points for every patient (a fixed sample of :data:`TREE_SAMPLE` for the tree
        model), cached per reference group: ``(rows, points)``."""
        def compute():
            n = len(self.X)
            rows = np.arange(n)
            if self.kind == "boosting" and n > TREE_SAMPLE:
                rows = np.sort(np.random.default_rng([n, 43]).choice(n, TREE_SAMPLE,
                                                                     replace=False))
            phi, base, out = self._shap(rows, background)
            return rows, to_points(phi, base, out, self.kind)[0]

        return self._all.get_or(np.packbits(background).tobytes(), compute)


_FITTED: OrderedDict = OrderedDict()


def fit_explained(records: pd.DataFrame, kind: str, y, *, seed: int, train_mask=None,
                  inputs: str = "usual", duplicate: str = "none", key=None) -> ExplainedModel:
    """Fit the two cross-fitting models the way the pipeline does, on the explain inputs.

    With the usual inputs they are the pipeline's own models (same folds, same seed, same
    label and training rows), so their scores equal the dashboard's.

    Parameters
    ----------
    records : DataFrame
        The cohort as the model reads it.
    kind : {"rule", "logistic", "boosting", "records"}
    y : ndarray of int
        The training label.
    seed : int
    train_mask : ndarray of bool, default=None
    inputs, duplicate : str
        The ``explain_inputs`` and ``explain_duplicate`` levers.
    key : hashable, default=None
        Caches the fitted models under this key.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=3)
    >>> m = fit_explained(cohort, "logistic", cohort["crisis"].to_numpy(int), seed=3)
    >>> m.scores().shape
    (1000,)
    """
    full_key = None if key is None else (key, kind, inputs, duplicate)
    if full_key is not None and full_key in _FITTED:
        _FITTED.move_to_end(full_key)
        return _FITTED[full_key]
    X = explain_matrix(records, kind, inputs, duplicate)
    fold = cross_fit_folds(len(records), seed)
    keep = np.ones(len(records), bool) if train_mask is None else np.asarray(train_mask)
    # With the usual inputs these are the pipeline's own fitted models (one fit, shared).
    models = (None, None) if kind == "rule" else fit_fold_models(
        X, np.asarray(y).astype(int), fold, keep, kind, seed=seed)
    fitted = ExplainedModel(kind, feature_names(kind, inputs, duplicate), X, fold,
                            tuple(models), records["patient_id"].to_numpy())
    if full_key is not None:
        _FITTED[full_key] = fitted
        while len(_FITTED) > 8:
            _FITTED.popitem(last=False)
    return fitted


def importance_by_group(model: ExplainedModel, background: np.ndarray, groups: pd.Series,
                        top: int = 6) -> pd.DataFrame:
    """Mean absolute risk points of each input, for all patients and by group.

    Returns a DataFrame: one row per input (the ``top`` largest overall), one column for
    all patients then one per group, in risk points (rule points for the rule).
    """
    rows, points = model.all_points(background)
    absolute = np.abs(points)
    group = np.asarray(groups.astype(str))[rows]
    table = {"all patients": absolute.mean(axis=0)}
    for g in pd.unique(group):
        table[g] = absolute[group == g].mean(axis=0)
    frame = pd.DataFrame(table, index=list(model.features))
    return frame.sort_values("all patients", ascending=False).head(top)
