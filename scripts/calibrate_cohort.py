"""How the questionnaire thresholds of teachkit.cohort were fitted (run it to see the fit).

The PHQ-9 and GAD-7 items are drawn from a graded-response model,
``P(item >= k | theta) = expit(a * (theta - b_k))``, with theta ~ N(0, 1) in the general
population. This script finds the thresholds ``b`` that reproduce the published bands
(MMWR QuickStats 2018: PHQ-9 76.3 / 15.6 / 5.1 / 2.9 %; item 9 > 0 in 3.5 %; NCHS: GAD-7
>= 5 / 10 / 15 in 15.6 / 6.1 / 2.7 %) by integrating over theta on a grid, then checks a
200,000-patient cohort drawn by make_cohort against the same targets. The constants it
prints are the ones in cohort.py (PHQ_BASE, PHQ_STEPS, the item-9 offset, GAD_BASE,
GAD_STEPS).
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import norm

from teachkit import cohort as C

GRID = np.linspace(-5, 6, 400)
WEIGHTS = norm.pdf(GRID) / norm.pdf(GRID).sum()


def total_distribution(base, step2, step3, offsets):
    """P(total = k) and P(item = k) for each item, integrated over theta."""
    pmf = np.zeros((len(GRID), 3 * len(offsets) + 1))
    pmf[:, 0] = 1
    item_pmfs = []
    for offset in offsets:
        b = base + offset + np.array([0.0, step2, step3])
        ge = expit(C.GRM_A * (GRID[:, None] - b[None, :]))
        p = np.column_stack([1 - ge[:, 0], ge[:, 0] - ge[:, 1], ge[:, 1] - ge[:, 2], ge[:, 2]])
        item_pmfs.append(WEIGHTS @ p)
        new = np.zeros_like(pmf)
        for k in range(4):
            new[:, k:] += pmf[:, : pmf.shape[1] - k] * p[:, [k]]
        pmf = new
    return WEIGHTS @ pmf, item_pmfs


def phq_bands(pmf):
    return np.array([pmf[:5].sum(), pmf[5:10].sum(), pmf[10:15].sum(), pmf[15:].sum()])


def fit_phq():
    target = np.array([0.763, 0.156, 0.051, 0.029])
    offsets = np.array(C.PHQ_ITEM_OFFSETS[:8] + (0.0,))

    def loss(x):
        base, step2, step3, item9 = x
        pmf, items = total_distribution(base, step2, step3, np.append(offsets[:8], item9))
        penalty = 0 if 0.2 <= step2 <= step3 else 100
        return 1e4 * (((phq_bands(pmf) - target) ** 2).sum()
                      + (1 - items[8][0] - 0.035) ** 2) + penalty

    return minimize(loss, [1.0, 0.9, 1.1, 1.0], method="Nelder-Mead",
                    options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-12}).x


def fit_gad():
    target = np.array([0.156, 0.061, 0.027])

    def loss(x):
        pmf, _ = total_distribution(x[0], x[1], x[2], np.zeros(7))
        tail = np.array([pmf[5:].sum(), pmf[10:].sum(), pmf[15:].sum()])
        return 1e4 * ((tail - target) ** 2).sum() + (0 if 0.1 <= x[1] <= x[2] else 100)

    return minimize(loss, [1.0, 0.8, 0.9], method="Nelder-Mead",
                    options={"maxiter": 4000}).x


def main():
    base, step2, step3, item9 = fit_phq()
    print(f"PHQ-9: base {base:.4f}, steps (0, {step2:.4f}, {step3:.4f}), item-9 offset "
          f"{item9:.4f}")
    print(f"  in cohort.py: base {C.PHQ_BASE}, steps {C.PHQ_STEPS}, item-9 offset "
          f"{C.PHQ_ITEM_OFFSETS[8]}")
    gad = fit_gad()
    print(f"GAD-7: base {gad[0]:.4f}, steps (0, {gad[1]:.4f}, {gad[2]:.4f}); in cohort.py: "
          f"{C.GAD_BASE}, {C.GAD_STEPS}")
    cohort = C.make_cohort(200_000, seed=2024)
    bands = np.histogram(cohort["phq9_total"], bins=[0, 5, 10, 15, 28])[0] / len(cohort)
    print("check, 200,000 general-population patients:")
    print("  PHQ-9 bands  ", np.round(100 * bands, 1), "target [76.3 15.6  5.1  2.9]")
    print("  item 9 > 0   ", round(100 * (cohort["phq9"] > 0).mean(), 1), "target 3.5")
    tails = [(cohort["gad7_total"] >= k).mean() for k in (5, 10, 15)]
    print("  GAD-7 >= 5/10/15", np.round(100 * np.array(tails), 1), "target [15.6  6.1  2.7]")


if __name__ == "__main__":
    main()
