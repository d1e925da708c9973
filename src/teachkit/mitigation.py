"""Mitigations: ways to push back against unequal errors between groups, each with a price.

Three mitigations, the ``mitigation`` lever's options (:mod:`teachkit.levers.bias`):

- ``"group_thresholds"``: one threshold per group, chosen on the training half so that
  every group's crises (as the training label counts them) are caught at the same rate,
  with the team's workload kept: as many patients are flagged as without it. This is
  equal opportunity by post-processing (Hardt et al. 2016), the idea behind fairlearn's
  ``ThresholdOptimizer``; fairlearn's class picks its own operating point (it maximises
  an accuracy objective), so it cannot hold a clinic's capacity fixed, and the lesson
  needs that to show the price of fairness rather than the price of more flags;
- ``"reduction"``: fairlearn's ``ExponentiatedGradient`` trains a logistic regression
  under the constraint of equal true-positive rates between groups (Agarwal et al.
  2018); its mixture of models is re-calibrated on the training half, so the threshold
  and capacity policies work as before;
- ``"relabel"``: train on a direct measure of clinical need
  (:func:`teachkit.levers.bias.need_label`) instead of the chosen label (Obermeyer et
  al. 2019); the pipeline handles it by changing the label.

The group is ethnicity (:data:`MITIGATION_ATTRIBUTE`). A mitigation can only equalise
what it can see: it uses the training label, so with a biased label it equalises the
bias. fairlearn is imported only when a reduction is trained, to keep the lessons'
kernels small.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._validation import Options, TeachkitError, check_param, check_seed
from .models import check_train_mask, cross_fit_folds, feature_matrix, make_model, training_target

__all__ = ["MITIGATION_ATTRIBUTE", "equal_sensitivity_flags", "reduction_scores"]

#: The patient groups the mitigations equalise between.
MITIGATION_ATTRIBUTE = "ethnicity"
#: Iterations of the exponentiated-gradient reduction (fairlearn's default is 50).
REDUCTION_MAX_ITER = 30


def _codes(groups) -> np.ndarray:
    col = pd.Series(groups)
    cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
    return cat.cat.codes.to_numpy()


def equal_sensitivity_flags(scores, flagged, y_train, groups, *, seed: int = 0,
                            train_mask=None) -> np.ndarray:
    """Flag as many patients as ``flagged`` does, with per-group thresholds.

    In each of the two cross-fitting folds, every patient's score is turned into its
    rank among the training half's positives *of the same group* (the share of them
    with a lower or equal score). Flagging everyone whose rank is at least ``1 - s``
    catches the same share ``s`` of each group's positives on the training half: one
    threshold per group. The patients of the fold with the highest ranks are flagged,
    as many as ``flagged`` flags in that fold, so the workload does not change.

    Parameters
    ----------
    scores : array-like of float, shape (n_patients,)
        Cross-fitted scores (:func:`teachkit.models.cross_fitted_scores`).
    flagged : array-like of bool
        Who the usual policy flags: sets how many are flagged in each fold.
    y_train : array-like of bool
        The label the model was trained on (the developer does not know the truth).
    groups : array-like
        Each patient's group (ethnicity in the lessons).
    seed : int, default=0
        The folds' seed (as for the scores) and the tie-break.
    train_mask : array-like of bool, default=None
        Patients the developer may learn thresholds from (under-sampling).

    Returns
    -------
    flags : ndarray of bool

    Notes
    -----
    The criterion is fairlearn's ``ThresholdOptimizer`` with equal opportunity (Hardt,
    Price, Srebro 2016: one threshold per group, equal true-positive rates), but at a
    fixed number of flags. ``ThresholdOptimizer`` itself picks the thresholds that
    maximise an accuracy objective and cannot hold a programme's size: on the lesson's
    top-3 % programme it flagged 26.9 % of patients with balanced accuracy and 0.3 %
    with accuracy (measured with the cross-fitted scores as a pre-fitted estimator).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(["a", "b"], 2_000)
    >>> y = rng.random(4_000) < 0.1
    >>> scores = y * 1.0 + rng.normal(0, 1, 4_000) + (groups == "a")  # a scores higher
    >>> usual = scores >= np.quantile(scores, 0.8)
    >>> fair = equal_sensitivity_flags(scores, usual, y, groups)
    >>> int(fair.sum()) == int(usual.sum())
    True
    >>> sens = [fair[(groups == g) & y].mean() for g in ("a", "b")]
    >>> bool(abs(sens[0] - sens[1]) < 0.1)
    True
    """
    seed = check_seed(seed, caller="equal_sensitivity_flags")
    scores = np.asarray(scores, dtype=float)
    flagged = np.asarray(flagged, dtype=bool)
    y = np.asarray(y_train, dtype=bool)
    n = len(scores)
    if not (len(flagged) == len(y) == len(groups) == n):
        raise TeachkitError(
            "scores, flagged, y_train and groups must describe the same patients; got "
            f"lengths {n}, {len(flagged)}, {len(y)}, {len(groups)}."
        )
    keep = check_train_mask(train_mask, n)
    codes = _codes(groups)
    fold = cross_fit_folds(n, seed)
    tiebreak = np.random.default_rng([seed, 29]).permutation(n)
    out = np.zeros(n, dtype=bool)
    for k in (0, 1):
        test = fold == k
        train_pos = (fold != k) & keep & y
        if not train_pos.any():
            raise TeachkitError(
                "Cannot set per-group thresholds: the training half has no positive "
                "label. Use a larger cohort."
            )
        overall = np.sort(scores[train_pos])
        rank = np.empty(n)
        for code in np.unique(codes[test]):
            members = test & (codes == code)
            reference = np.sort(scores[train_pos & (codes == code)])
            if len(reference) == 0:  # no positives of this group to learn from
                reference = overall
            rank[members] = np.searchsorted(reference, scores[members], side="right") \
                / len(reference)
        idx = np.flatnonzero(test)
        order = idx[np.lexsort((tiebreak[idx], -scores[idx], -rank[idx]))]
        out[order[: int(flagged[test].sum())]] = True
    return out


def _mixture(model, X) -> np.ndarray:
    """The ExponentiatedGradient mixture's average estimated risk (not its 0/1 draws)."""
    total = np.zeros(len(X))
    for weight, predictor in zip(model.weights_, model.predictors_):
        if weight > 0:
            total += weight * predictor.predict_proba(X)[:, 1]
    return total


def reduction_scores(cohort: pd.DataFrame, label, groups, *, seed: int = 0,
                     train_mask=None, kind: str = "logistic") -> np.ndarray:
    """Cross-fitted scores of a logistic regression trained under equal opportunity.

    fairlearn's ``ExponentiatedGradient`` with a ``TruePositiveRateParity`` constraint
    (the share of positives flagged equal in every group, within 0.01) and a balanced
    error objective (a missed positive costs as much as all the negatives together,
    since positives are rare). The resulting mixture of logistic regressions is
    re-calibrated on the training half (Platt scaling), so its scores read as risks.

    Parameters
    ----------
    cohort : DataFrame
        The records the model reads (:data:`teachkit.models.FEATURES`).
    label : str or array-like of bool
        What the model learns to predict.
    groups : array-like
        Each patient's group.
    seed : int, default=0
        The folds' seed.
    train_mask : array-like of bool, default=None
    kind : {"logistic", "records"}, default="logistic"
        What the logistic regressions read (:func:`teachkit.models.feature_matrix`).

    Returns
    -------
    scores : ndarray of float

    Notes
    -----
    A logistic regression whatever the ``model`` lever says: the reduction refits its
    base model about thirty times, too slow for gradient boosting in a lesson. The
    first call takes a few seconds; the pipeline caches the result.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(4_000, seed=1, setting="specialty")
    >>> scores = reduction_scores(cohort, "crisis", cohort["ethnicity"], seed=1)
    >>> scores.shape, bool(((scores > 0) & (scores < 1)).all())
    ((4000,), True)
    """
    from fairlearn.reductions import ErrorRate, ExponentiatedGradient, TruePositiveRateParity
    from scipy.special import logit
    from sklearn.linear_model import LogisticRegression

    seed = check_seed(seed, caller="reduction_scores")
    check_param("kind", kind, Options(("logistic", "records")), caller="reduction_scores")
    X = feature_matrix(cohort, kind)
    y = training_target(cohort, label)
    keep = check_train_mask(train_mask, len(cohort))
    sensitive = pd.Series(groups).astype(str).to_numpy()
    fold = cross_fit_folds(len(cohort), seed)
    scores = np.empty(len(cohort))
    for k in (0, 1):
        train, test = (fold != k) & keep, fold == k
        rate = float(y[train].mean())
        if rate in (0.0, 1.0):
            raise TeachkitError(
                "Cannot train a model: one half of the cohort has only one outcome. "
                "Use a larger cohort."
            )
        model = ExponentiatedGradient(
            make_model("logistic"), TruePositiveRateParity(),
            objective=ErrorRate(costs={"fp": rate, "fn": 1 - rate}),
            max_iter=REDUCTION_MAX_ITER,
            sample_weight_name="logisticregression__sample_weight",
        )
        with warnings.catch_warnings():  # fairlearn 0.15 on pandas 3: deprecation notes
            warnings.simplefilter("ignore", category=FutureWarning)
            warnings.simplefilter("ignore", category=DeprecationWarning)
            model.fit(X[train], y[train], sensitive_features=sensitive[train])
        raw_train = np.clip(_mixture(model, X[train]), 1e-6, 1 - 1e-6)
        raw_test = np.clip(_mixture(model, X[test]), 1e-6, 1 - 1e-6)
        platt = LogisticRegression().fit(logit(raw_train)[:, None], y[train])
        scores[test] = platt.predict_proba(logit(raw_test)[:, None])[:, 1]
    scores.setflags(write=False)
    return scores
