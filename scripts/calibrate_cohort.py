"""Fit the calibration constants of teachkit.cohort to their published targets.

Run it to see the fit: ``PYTHONPATH=src python scripts/calibrate_cohort.py``. It prints
the constants to copy into ``CALIBRATIONS["sourced"]`` in ``src/teachkit/cohort.py`` and
the targets they reach; the data card checks the same targets
(``teachkit.calibration.CALIBRATION_TARGETS``) on the generated data, and
``tests/unit/test_datacard.py`` fails when one leaves its band.

1. Answers (analytic, integrating a N(0, 1) trait on a grid): the graded-response model
   ``P(item >= k | theta) = expit(a * (theta - b_k))`` of the PHQ-9 and the GAD-7, fitted
   to the PHQ-9 bands (MMWR 2018: 76.3 / 15.6 / 5.1 / 2.9 %), item 9 above "not at all"
   in 3.5 % (NHANES), the GAD-7 tails (NHSR 213: 15.6 / 6.1 / 2.7 % at 5 / 10 / 15) and
   the answer pattern of every item: "more than half the days" chosen about 1.3 times as
   often as "nearly every day" (Tomitaka et al. 2018: parallel log-linear lines from
   "several days" on; the ratio 1.3 is an assumption within NHANES's "about as often or
   more").
2. Traits (simulated, general population): the depression-anxiety correlation so that the
   observed PHQ-2/GAD-7 correlation is Loewe et al.'s 0.64, and the anxiety sex shift so
   that any anxiety (GAD-7 >= 5) is 1.45 times as common in women (NHSR 213: 21.4 / 14.8).
3. Crisis concentration (simulated, at the sourced rates: the primary-care preset's
   0.75 % within 12 months, Simon 2018's 0.63 % over 90 days): the severity slope and
   the item-9 log-odds per answer step (prior self-harm: odds x13 and a higher
   prevalence, fixed assumptions), so
   that in primary care crisis risk at item 9 "nearly every day" is 10 times "not at
   all" (Simon 2013) and 71.6 % of crises answered "not at all" (Louzon 2016), and in
   specialty care the riskiest 5 % hold 45.5 % of crises (Simon 2018: 43-48 %).
"""

from dataclasses import replace

import numpy as np
from scipy.optimize import brentq, minimize
from scipy.special import expit
from scipy.stats import norm

from teachkit import calibration as K
from teachkit import cohort as C

GRID = np.linspace(-5, 6, 400)
WEIGHTS = norm.pdf(GRID) / norm.pdf(GRID).sum()
#: "more than half the days" / "nearly every day", every item (A, within NHANES's pattern).
CATEGORY_RATIO = 1.3


def answer_distribution(a, base, step2, step3, offsets):
    """P(total = k) and, per item, P(answer = 0..3), integrated over theta ~ N(0, 1)."""
    pmf = np.zeros((len(GRID), 3 * len(offsets) + 1))
    pmf[:, 0] = 1
    items = []
    for offset in offsets:
        b = base + offset + np.array([0.0, step2, step3])
        ge = expit(a * (GRID[:, None] - b[None, :]))
        p = np.column_stack([1 - ge[:, 0], ge[:, 0] - ge[:, 1], ge[:, 1] - ge[:, 2], ge[:, 2]])
        items.append(WEIGHTS @ p)
        new = np.zeros_like(pmf)
        for k in range(4):
            new[:, k:] += pmf[:, : pmf.shape[1] - k] * p[:, [k]]
        pmf = new
    return WEIGHTS @ pmf, np.array(items)


def _pattern_loss(items):
    return float((np.log(items[:, 2] / items[:, 3] / CATEGORY_RATIO) ** 2).mean())


def _fit(loss, start):
    return minimize(loss, start, method="Nelder-Mead",
                    options={"maxiter": 8000, "xatol": 1e-7, "fatol": 1e-13}).x


def fit_phq():
    target = np.array([0.763, 0.156, 0.051, 0.029])
    offsets = np.array(C.PHQ_ITEM_OFFSETS[:8])

    def loss(x):
        a, base, step2, step3, item9 = x
        if not (0.3 < a < 6 and 0.05 < step2 < step3):
            return 1e6
        pmf, items = answer_distribution(a, base, step2, step3, np.append(offsets, item9))
        bands = np.array([pmf[:5].sum(), pmf[5:10].sum(), pmf[10:15].sum(), pmf[15:].sum()])
        return 1e4 * (((bands - target) ** 2).sum() + (1 - items[8][0] - 0.035) ** 2) \
            + _pattern_loss(items)

    return _fit(loss, [2.0, 0.8, 1.0, 1.5, 1.5])


def fit_gad():
    target = np.array([0.156, 0.061, 0.027])

    def loss(x):
        a, base, step2, step3 = x
        if not (0.3 < a < 6 and 0.05 < step2 < step3):
            return 1e6
        pmf, items = answer_distribution(a, base, step2, step3, np.zeros(7))
        tails = np.array([pmf[5:].sum(), pmf[10:].sum(), pmf[15:].sum()])
        return 1e4 * ((tails - target) ** 2).sum() + _pattern_loss(items)

    return _fit(loss, [2.0, 1.0, 1.0, 1.5])


SOURCED = "sourced"


def _set(**changes):
    C.CALIBRATIONS[SOURCED] = replace(C.CALIBRATIONS[SOURCED], **changes)


def _general(n=200_000):
    return C.make_cohort(n, seed=2024, setting="general", calibration=SOURCED)


def phq2_gad7_correlation(df):
    return K._phq2_gad7(df)


def fit_dep_anx_rho():
    def gap(rho):
        _set(dep_anx_rho=rho)
        return phq2_gad7_correlation(_general()) - 0.64

    return brentq(gap, 0.5, 0.99, xtol=1e-3)


def fit_anxiety_sex_shift():
    measure = K._ratio_by_sex("gad7_total", 5)

    def gap(shift):
        _set(anx_sex_shift=(shift, -shift, 0.0))
        return measure(_general()) - 21.4 / 14.8

    return brentq(gap, -0.3, 0.3, xtol=1e-3)


def crisis_concentration(n=100_000):
    """Item-9 risk ratio (3 vs 0) and share of crises at item 9 = 0 in primary care, and
    top-5 % capture in specialty care over 90 days, both at their sourced rates."""
    primary = C.make_cohort(n, seed=2024, setting="primary_care", calibration=SOURCED)
    specialty = C.make_cohort(n, seed=2024, setting="specialty",
                              crisis_rate=K.SIMON_2018_RATE, calibration=SOURCED)
    return (K._item9_gradient(primary), K._item9_zero_share(primary),
            K._top5_capture(specialty))


def fit_crisis():
    def loss(x):
        slope, item9 = np.abs(x)
        _set(crisis_severity_slope=slope, crisis_anxiety_slope=0.5 * slope,
             crisis_item9_logodds=tuple(item9 * np.arange(4)))
        ratio, louzon, capture = crisis_concentration()
        return (np.log(ratio / 10)) ** 2 + 10 * (louzon - 0.716) ** 2 \
            + 10 * (capture - 0.455) ** 2

    return np.abs(minimize(loss, [0.3, 0.2], method="Nelder-Mead",
                           options={"maxiter": 120, "xatol": 1e-3, "fatol": 1e-7}).x)


def main():
    a, base, step2, step3, item9 = fit_phq()
    print(f"phq_a = {a:.3f}; phq_base = {base:.4f}; phq_steps = (0.0, {step2:.4f}, "
          f"{step3:.4f}); item-9 offset {item9:.4f}")
    gad = fit_gad()
    print(f"gad_a = {gad[0]:.3f}; gad_base = {gad[1]:.4f}; gad_steps = (0.0, {gad[2]:.4f}, "
          f"{gad[3]:.4f})")
    print(f"dep_anx_rho = {fit_dep_anx_rho():.3f}")
    print(f"anx_sex_shift female = {fit_anxiety_sex_shift():+.3f}")
    slope, item9 = fit_crisis()
    print(f"crisis_severity_slope = {slope:.3f}; crisis_anxiety_slope = {0.5 * slope:.3f}; "
          f"crisis_item9_logodds = {item9:.3f} x (0, 1, 2, 3)")
    ratio, louzon, capture = crisis_concentration(200_000)
    print(f"  item-9 ratio {ratio:.1f} (10), share at item 9 = 0 {louzon:.3f} (0.716), "
          f"top-5 % capture {capture:.3f} (0.43-0.48)")


if __name__ == "__main__":
    main()
