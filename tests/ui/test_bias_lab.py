"""Lesson 02's app driven in plain pytest by setting ``.value`` (no browser)."""

import pytest

from teachkit.pipeline import Settings, simulate
from teachkit.text import percent
from teachkit.ui import BiasLab
from teachkit.ui.apps import BIAS_LAB_LEVERS, fairness_html


def test_bias_lab_starts_with_the_programme_and_every_lever():
    lab = BiasLab()
    assert tuple(lab.panel.rows) == BIAS_LAB_LEVERS
    assert lab.panel.settings == Settings(model="logistic", policy="capacity", capacity=0.03)
    assert lab.dashboard.updates == 1
    assert "usual rule: <b>" in lab.dashboard._headline.value
    assert 'data-group="Black"' in lab.views["fairness"].value


@pytest.mark.parametrize(("lever", "value", "baseline"), [
    ("label", "cost", "same model without the bias"),
    ("undersample", 0.5, "same model without the bias"),
    ("underreport", 1.0, "same model without the bias"),
    ("self_harm_unrecorded", 1.0, "same model without the bias"),
    ("mitigation", "relabel", "same set-up without the mitigation"),
])
def test_each_bias_lever_updates_the_dashboard_against_one_step_back(lever, value, baseline):
    lab = BiasLab()
    before = lab.views["fairness"].value
    lab.panel.rows[lever].value = value
    assert lab.banner.message == ""
    assert lab.dashboard.updates == 2
    assert f"{baseline}: <b>" in lab.dashboard._headline.value
    # a change under one person per 1,000 is said as such (whole numbers of people)
    assert lab.dashboard.sentence.startswith((f"Compared with the {baseline}",
                                              "Less than 1 in 1,000 patients changes "
                                              f"against the {baseline}"))
    assert lab.views["fairness"].value != before


def test_fairness_view_follows_the_group_chooser_and_quotes_the_programme():
    lab = BiasLab()
    lab.panel.rows["label"].value = "cost"
    view = lab.views["fairness"].value
    # the sentence quotes the programme shares of the two runs (seed 2024: 13 % and 13 %;
    # the typical drop, over 20 seeds, is lesson 02's "about 14 % to about 12 %")
    programme = Settings(model="logistic", policy="capacity", capacity=0.03)
    share = lambda s: simulate(s).programme_shares().loc["Black", "in_programme"]  # noqa: E731
    cost, truth = share(programme.replace(label="cost")), share(programme)
    assert (f"With the cost label, Black patients are {percent(cost)} of the top 3 % "
            "programme") in view
    assert f"against {percent(truth)} with the true-crisis label" in view
    lab.dashboard._group.value = "language"
    assert 'data-group="Limited English"' in lab.views["fairness"].value
    assert "no threshold makes both" in fairness_html(lab.dashboard.result, "language")


def test_the_programme_picture_shows_the_cost_label_emptying_the_programme():
    import re

    lab = BiasLab()
    lab.panel.rows["label"].value = "cost"
    lab.panel.rows["access_gap"].value = 0.1
    view = lab.views["fairness"].value
    row = re.search(r'class="tk-programme-row" data-group="Black" data-now="([0-9.]+)" '
                    r'data-before="([0-9.]+)" data-population="([0-9.]+)"', view)
    assert row, "no programme bar for Black patients"
    now, before, population = map(float, row.groups())
    # seed 2024: 8 % against 13 % (typical: about 8 % against about 14 %, lesson 02)
    assert now < 0.7 * before and abs(before - population) < 0.03
