"""Consequences for patients: what a triage set-up does, overall and by group.

:class:`ConsequenceFrame` is computed once from four things: who had a crisis (the ground
truth), who was flagged, the model's scores and the patients' groups. Reading its views
is cheap, so a dashboard can redraw on every slider move:

- ``overall`` and ``by_group``: per 1,000 patients, how many are flagged, how many
  crises are caught and missed, how many escalations were not needed;
- ``metrics``: AUC, sensitivity, PPV and calibration by group, from fairlearn's
  ``MetricFrame`` (computed on first use, then kept);
- ``versus_baseline()`` and ``sentence()``: the change against the baseline, in numbers
  and in plain language.

Two views of a ranking, for the bias lesson: :func:`programme_shares` (who fills a top-k %
programme) and :func:`calibration_by_group` (at the same score, is every group as sick?).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import text
from ._cache import IdentityCache

__all__ = ["ConsequenceFrame", "GROUP_ATTRIBUTES", "PER_1000_COLUMNS", "programme_shares",
           "calibration_by_group", "equal_score_gap"]

#: The patient groups every lesson reports on, in the order the apps show them.
GROUP_ATTRIBUTES = ("sex", "ethnicity", "language", "insurance", "rurality")
#: The per-1,000 columns of ``overall`` and ``by_group``.
PER_1000_COLUMNS = ("flagged", "crises", "caught", "missed", "needless")
METRIC_COLUMNS = ("AUC", "sensitivity", "PPV", "calibration")


def _per_1000(counts: np.ndarray, patients: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(patients > 0, 1000.0 * counts / np.maximum(patients, 1), np.nan)


def _table(y, flagged, codes, n_levels):
    """Counts of patients, flagged, crises, caught and needless for each level."""
    patients = np.bincount(codes, minlength=n_levels)
    flagged_n = np.bincount(codes, weights=flagged, minlength=n_levels)
    crises = np.bincount(codes, weights=y, minlength=n_levels)
    caught = np.bincount(codes, weights=y & flagged, minlength=n_levels)
    return patients, flagged_n, crises, caught


def _frame(patients, flagged, crises, caught, index) -> pd.DataFrame:
    missed = crises - caught
    needless = flagged - caught
    data = {"patients": patients.astype(int)}
    for name, values in zip(PER_1000_COLUMNS, (flagged, crises, caught, missed, needless)):
        data[name] = _per_1000(values, patients)
    return pd.DataFrame(data, index=index)


class ConsequenceFrame:
    """What a triage set-up does to patients, overall and by group, per 1,000 patients.

    Parameters
    ----------
    y_true : array-like of bool, shape (n_patients,)
        Who had a crisis within 12 months (the ground truth).
    flagged : array-like of bool, shape (n_patients,)
        Who the set-up flags for urgent follow-up.
    scores : array-like of float, shape (n_patients,)
        The model's scores, for AUC and calibration.
    groups : DataFrame
        One categorical column per attribute in :data:`GROUP_ATTRIBUTES` (or a subset).
    is_probability : bool, default=True
        Whether ``scores`` estimate a risk. A rule's points do not, and then calibration
        is not defined (NaN).
    baseline : ConsequenceFrame or "self", default=None
        What the same patients get one step back; ``"self"`` when this run is its own
        baseline (every lever at rest: the change is zero). Set here, never afterwards:
        :meth:`with_baseline` returns a copy with another one.

    Attributes
    ----------
    overall : DataFrame
        One row, ``"all patients"``: ``patients`` (a count) and, per 1,000 patients,
        ``flagged``, ``crises``, ``caught``, ``missed`` and ``needless`` (flagged without
        a crisis: a needless escalation).
    by_group : DataFrame
        The same columns, indexed by (attribute, group).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = np.array([1, 1, 0, 0, 0, 0], dtype=bool)
    >>> flags = np.array([1, 0, 1, 0, 0, 0], dtype=bool)
    >>> groups = pd.DataFrame({"sex": pd.Categorical(["female", "male"] * 3)})
    >>> frame = ConsequenceFrame(y, flags, np.linspace(1, 0, 6), groups)
    >>> frame.overall[["caught", "missed", "needless"]].round(1).values.tolist()
    [[166.7, 166.7, 166.7]]
    """

    def __init__(self, y_true, flagged, scores, groups: pd.DataFrame, *,
                 is_probability: bool = True, baseline: ConsequenceFrame | None = None):
        self._y = np.asarray(y_true, dtype=bool)
        self._flagged = np.asarray(flagged, dtype=bool)
        self._scores = np.asarray(scores, dtype=float)
        n = len(self._y)
        if not (len(self._flagged) == len(self._scores) == len(groups) == n):
            raise ValueError(
                "y_true, flagged, scores and groups must describe the same patients; got "
                f"lengths {n}, {len(self._flagged)}, {len(self._scores)}, {len(groups)}."
            )
        self._groups = groups
        self.is_probability = is_probability
        if not (baseline is None or baseline == "self"
                or isinstance(baseline, ConsequenceFrame)):
            raise TypeError("baseline must be a ConsequenceFrame, 'self' or None; got "
                            f"{type(baseline).__name__}.")
        self._baseline = self if isinstance(baseline, str) else baseline
        self.n_patients = n

        overall = _table(self._y, self._flagged, np.zeros(n, dtype=np.int8), 1)
        self.overall = _frame(*overall, index=pd.Index(["all patients"], name="group"))
        parts, keys = [], []
        for attribute in groups.columns:
            col = groups[attribute]
            cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
            levels = list(cat.cat.categories)
            counts = _table(self._y, self._flagged, cat.cat.codes.to_numpy(), len(levels))
            parts.append(_frame(*counts, index=pd.Index(levels, name="group")))
            keys.append(attribute)
        self.by_group = pd.concat(parts, keys=keys, names=["attribute", "group"])
        self._metrics = None
        self._metric_frames = None

    @property
    def baseline(self) -> ConsequenceFrame | None:
        """The frame this one is compared with (None: no comparison)."""
        return self._baseline

    def with_baseline(self, baseline: ConsequenceFrame | None) -> ConsequenceFrame:
        """A copy that compares itself with ``baseline`` (this frame is left unchanged).

        The copy shares the computed tables (they are never changed in place).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> y, flags = np.array([1, 0], dtype=bool), np.array([1, 1], dtype=bool)
        >>> groups = pd.DataFrame({"sex": pd.Categorical(["female", "male"])})
        >>> frame = ConsequenceFrame(y, flags, np.array([0.9, 0.2]), groups)
        >>> compared = frame.with_baseline(frame)
        >>> frame.baseline is None, compared.baseline is frame
        (True, True)
        """
        copy = object.__new__(ConsequenceFrame)
        copy.__dict__.update(self.__dict__)
        copy._baseline = baseline
        copy.__dict__.pop("_versus", None)
        return copy

    # -- metrics (fairlearn) ---------------------------------------------------------
    @property
    def metric_frames(self) -> dict:
        """One fairlearn ``MetricFrame`` per attribute (AUC, sensitivity, PPV, calibration).

        Built on first use (about half a second per attribute per 20,000 patients), for
        developers who want fairlearn's views (``by_group``, ``difference()``,
        ``ratio()``...). The apps read :attr:`metrics`, which holds the same numbers.
        """
        if self._metric_frames is None:
            self._metric_frames = _metric_frames(
                self._y, self._flagged, self._scores, self._groups, self.is_probability
            )
        return self._metric_frames

    @property
    def metrics(self) -> pd.DataFrame:
        """AUC, sensitivity, PPV and calibration (observed / expected) overall and by group.

        The first row, ``("all", "all patients")``, is overall. Calibration is the
        observed crisis rate divided by the mean predicted risk: 1 is well calibrated,
        above 1 means the model under-estimates the group's risk (NaN for a rule).

        The numbers equal those of :attr:`metric_frames` (fairlearn's ``MetricFrame``;
        a test checks it) but are computed with numpy in milliseconds, so the apps can
        show them on every slider move.
        """
        if self._metrics is None:
            aucs = _cached_aucs(self._y, self._scores, self._groups)
            rows = [_metric_row(self._y, self._flagged, self._scores, self.is_probability,
                                auc=aucs[("all", "all patients")])]
            index = [("all", "all patients")]
            for attribute in self._groups.columns:
                col = self._groups[attribute]
                for level in _levels(col):
                    mask = (col == level).to_numpy()
                    rows.append(_metric_row(self._y[mask], self._flagged[mask],
                                            self._scores[mask], self.is_probability,
                                            auc=aucs[(attribute, level)]))
                    index.append((attribute, level))
            self._metrics = pd.DataFrame(
                rows, columns=list(METRIC_COLUMNS),
                index=pd.MultiIndex.from_tuples(index, names=["attribute", "group"]),
            )
        return self._metrics

    # -- against the baseline --------------------------------------------------------
    def versus_baseline(self) -> pd.DataFrame:
        """Change against the baseline, per 1,000 patients, overall then by group.

        Returns a DataFrame indexed by (attribute, group), with ``("all", "all
        patients")`` first: positive ``caught`` means more crises caught than at baseline.
        """
        if self.baseline is None:
            raise ValueError("This ConsequenceFrame has no baseline to compare with.")
        memo = getattr(self, "_versus", None)
        if memo is not None and memo[0] is self.baseline:
            return memo[1].copy()
        now, before = self._stacked(), self.baseline._stacked()
        if now[0] == before[0]:  # the same groups: subtract the numbers, keep the index
            index = _STACKED_INDEX.get(now[0])
            if index is None:
                index = pd.MultiIndex.from_tuples(now[0], names=["attribute", "group"])
                _STACKED_INDEX[now[0]] = index
            change = pd.DataFrame(now[1] - before[1], index=index,
                                  columns=list(PER_1000_COLUMNS))
        else:
            cols = list(PER_1000_COLUMNS)

            def stacked(frame):
                overall = frame.overall[cols].set_axis(
                    pd.MultiIndex.from_tuples([("all", "all patients")],
                                              names=["attribute", "group"]))
                return pd.concat([overall, frame.by_group[cols]])

            change = stacked(self) - stacked(self.baseline)
        self._versus = (self.baseline, change)
        return change.copy()

    def _stacked(self) -> tuple[tuple, np.ndarray]:
        """Overall then by-group rows of the per-1,000 columns: (row keys, values)."""
        if getattr(self, "_stacked_memo", None) is None:
            cols = list(PER_1000_COLUMNS)
            keys = (("all", "all patients"), *self.by_group.index)
            values = np.vstack([self.overall[cols].to_numpy(dtype=float),
                                self.by_group[cols].to_numpy(dtype=float)])
            self._stacked_memo = (keys, values)
        return self._stacked_memo

    def sentence(self, *, baseline_name: str = "the usual rule") -> str:
        """The consequences, and the change against the baseline, in plain language."""
        now = self.overall.iloc[0]
        if self.baseline is None:
            return text.describe_run(now)
        return text.describe_change(now, self.baseline.overall.iloc[0],
                                    baseline_name=baseline_name)

    def worst_group(self, attribute: str, column: str = "missed") -> tuple[str, float]:
        """The group of ``attribute`` with the highest ``column`` per 1,000, and its value."""
        sub = self.by_group.loc[attribute, column].dropna()
        return str(sub.idxmax()), float(sub.max())


def _levels(col: pd.Series) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    return sorted(col.unique())


def _auc(y_true: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the rank (Mann-Whitney) formula, ties averaged."""
    from scipy.stats import rankdata

    n_pos = int(y_true.sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        return np.nan
    ranks = rankdata(score)
    return float((ranks[y_true].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _metric_row(y, flagged, scores, is_probability, *, auc=None) -> list[float]:
    calibration = np.nan
    if is_probability and len(y) and scores.mean() > 0:
        calibration = float(y.mean() / scores.mean())
    auc = _auc(y, scores) if auc is None else auc
    return [auc, _sensitivity(y, flagged), _ppv(y, flagged), calibration]


#: The (attribute, group) index of versus_baseline, by its row keys.
_STACKED_INDEX: dict = {}

#: AUCs by group for the last few score arrays. The AUC depends on the scores, the
#: outcome and the groups, not on who is flagged: a slider that moves a threshold or a
#: capacity reuses the (cached, read-only) scores, so the ranks need not be redone.
_AUC_CACHE = IdentityCache(8)


def group_codes(col: pd.Series) -> np.ndarray:
    """A cheap stand-in for a column's values: category codes (strings are slow)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy()
    return col.to_numpy()


def _cached_aucs(y, scores, groups) -> dict:
    """AUC overall and per (attribute, group), cached by the scores array's identity."""
    key = (int(y.sum()), len(y), tuple(groups.columns))
    columns = [group_codes(groups[a]) for a in groups.columns]
    aucs = _AUC_CACHE.get(scores, key, y, *columns)
    if aucs is not None:
        return aucs
    aucs = {("all", "all patients"): _auc(y, scores)}
    for attribute in groups.columns:
        col = groups[attribute]
        for level in _levels(col):
            mask = (col == level).to_numpy()
            aucs[(attribute, level)] = _auc(y[mask], scores[mask])
    if not scores.flags.writeable:  # only arrays nobody can change are safe to key on
        _AUC_CACHE.put(scores, key, aucs, y, *columns)
    return aucs


def _sensitivity(y_true, y_pred):
    positives = y_true.sum()
    return float((y_true & y_pred).sum() / positives) if positives else np.nan


def _ppv(y_true, y_pred):
    flagged = y_pred.sum()
    return float((y_true & y_pred).sum() / flagged) if flagged else np.nan


def _metric_frames(y, flagged, scores, groups, is_probability):
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import roc_auc_score

    def auc(y_true, y_pred, score):
        return roc_auc_score(y_true, score) if 0 < y_true.sum() < len(y_true) else np.nan

    def calibration(y_true, y_pred, score):
        if not is_probability or len(y_true) == 0 or score.mean() == 0:
            return np.nan
        return float(y_true.mean() / score.mean())

    metrics = {"AUC": auc, "sensitivity": _sensitivity, "PPV": _ppv,
               "calibration": calibration}
    params = {"AUC": {"score": scores}, "calibration": {"score": scores}}
    return {
        attribute: MetricFrame(
            metrics=metrics, y_true=y, y_pred=flagged,
            sensitive_features=groups[attribute].astype(str).to_numpy(),
            sample_params=params,
        )
        for attribute in groups.columns
    }


# -- rankings: who fills a programme, and who is sicker at the same score ---------------
def _top(scores: np.ndarray, share: float, seed: int) -> np.ndarray:
    """The ``share`` of patients with the highest scores (ties in a fixed random order)."""
    n = len(scores)
    k = int(round(share * n))
    order = np.lexsort((np.random.default_rng([seed, 29]).permutation(n), -scores))
    top = np.zeros(n, dtype=bool)
    top[order[:k]] = True
    return top


def programme_shares(scores, groups, *, share: float = 0.03, seed: int = 0) -> pd.DataFrame:
    """Each group's share of a programme that enrols the top ``share`` of scores.

    Parameters
    ----------
    scores : array-like of float
    groups : array-like
        Each patient's group.
    share : float in (0, 1], default=0.03
        The programme's size as a share of patients (Obermeyer et al. 2019: the top 3 %
        were auto-identified for a care-management programme).
    seed : int, default=0
        Fixes the order of tied scores, as the capacity policy does.

    Returns
    -------
    shares : DataFrame
        Indexed by group: ``in_cohort`` and ``in_programme`` (shares, summing to 1) and
        ``enrolled`` (a count).

    Examples
    --------
    >>> import numpy as np
    >>> groups = np.array(["a"] * 50 + ["b"] * 50)
    >>> scores = np.r_[np.linspace(0, 1, 50), np.linspace(0, 0.5, 50)]
    >>> programme_shares(scores, groups, share=0.1)["in_programme"].round(2).tolist()
    [1.0, 0.0]
    """
    scores = np.asarray(scores, dtype=float)
    col = groups.reset_index(drop=True) if isinstance(groups, pd.Series) \
        else pd.Series(np.asarray(groups))
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1]; got {share!r}.")
    top = _top(scores, share, seed)
    levels = _levels(col)
    codes = col.to_numpy()
    in_cohort = [(codes == g).mean() for g in levels]
    enrolled = [int((top & (codes == g)).sum()) for g in levels]
    total = max(int(top.sum()), 1)
    return pd.DataFrame(
        {"in_cohort": in_cohort, "in_programme": [e / total for e in enrolled],
         "enrolled": enrolled},
        index=pd.Index(levels, name="group"),
    )


def calibration_by_group(scores, truth, groups, *, bins: int = 10,
                         seed: int = 0) -> pd.DataFrame:
    """Mean true need by score bin and group: at the same score, is every group as sick?

    Patients are cut into ``bins`` equal-sized bins of score (deciles by default; ties
    in a fixed random order); in each bin the mean of ``truth`` (true crisis risk or
    true severity) is taken per group. A well-calibrated ranking gives every group the
    same need in the same bin; Obermeyer et al. 2019 found Black patients sicker than
    White patients at the same risk score.

    Returns
    -------
    table : DataFrame
        Index: bin (1 = lowest scores ... ``bins`` = highest); columns: groups. Also
        ``table.attrs["counts"]``: patients per bin and group.

    Examples
    --------
    >>> import numpy as np
    >>> groups = np.repeat(["a", "b"], 500)
    >>> truth = np.r_[np.linspace(0, 1, 500), np.linspace(0, 1, 500) + 0.2]
    >>> scores = np.r_[np.linspace(0, 1, 500), np.linspace(0, 1, 500)]
    >>> table = calibration_by_group(scores, truth, groups, bins=5)
    >>> bool((table["b"] > table["a"]).all())
    True
    """
    scores = np.asarray(scores, dtype=float)
    truth = np.asarray(truth, dtype=float)
    col = groups.reset_index(drop=True) if isinstance(groups, pd.Series) \
        else pd.Series(np.asarray(groups))
    n = len(scores)
    order = np.lexsort((np.random.default_rng([seed, 31]).permutation(n), scores))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    bin_ = 1 + rank * bins // max(n, 1)
    frame = pd.DataFrame({"bin": bin_, "group": col.to_numpy(), "truth": truth})
    grouped = frame.groupby(["bin", "group"], observed=False)["truth"]
    table = grouped.mean().unstack("group")
    counts = grouped.size().unstack("group")
    levels = [g for g in _levels(col) if g in table.columns]
    table, counts = table[levels], counts[levels]
    table.attrs["counts"] = counts
    return table


def equal_score_gap(table: pd.DataFrame, group, reference, *, top_bins: int | None = None,
                    ratio: bool = False) -> float:
    """How much sicker ``group`` is than ``reference`` at the same score, on average.

    The per-bin difference (or ratio) of :func:`calibration_by_group`'s table, averaged
    over the highest ``top_bins`` bins (all when None), weighting each bin by the
    group's patients in it.

    Examples
    --------
    >>> import numpy as np
    >>> groups = np.repeat(["a", "b"], 500)
    >>> truth = np.r_[np.ones(500), np.ones(500) * 1.5]
    >>> table = calibration_by_group(np.r_[np.arange(500), np.arange(500)], truth, groups)
    >>> equal_score_gap(table, "b", "a"), equal_score_gap(table, "b", "a", ratio=True)
    (0.5, 1.5)
    """
    sub = table if top_bins is None else table.iloc[-top_bins:]
    counts = table.attrs.get("counts")
    weights = (counts.loc[sub.index, group] if counts is not None
               else pd.Series(1.0, index=sub.index)).to_numpy(dtype=float)
    values = (sub[group] / sub[reference]) if ratio else (sub[group] - sub[reference])
    values = values.to_numpy(dtype=float)
    ok = ~np.isnan(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    return float(np.average(values[ok], weights=weights[ok]))
