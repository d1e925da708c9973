"""The privacy lab (lesson 03) driven in plain pytest by setting ``.value`` (no browser)."""

import re

import pytest

from teachkit import TeachkitError
from teachkit.cohort import make_cohort
from teachkit.levers import REGISTRY
from teachkit.levers.privacy import PRIVACY_LEVERS
from teachkit.privacy import Release, run_release
from teachkit.ui._safety import GENERIC_MESSAGE
from teachkit.ui.privacy import PrivacyFigure, PrivacyLab, examples_html, flow_html

SMALL = make_cohort(3_000, seed=51, setting="primary_care")


def _state(lab) -> dict:
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', lab._state.value))


def test_the_lab_starts_with_no_arguments_on_the_lessons_cohort():
    lab = PrivacyLab()
    assert list(lab.rows) == list(PRIVACY_LEVERS)
    assert lab.updates == 1 and lab.release == Release()
    state = _state(lab)
    assert state["updates"] == "1" and state["k"] == "1" and state["released"] == "60000"
    assert int(state["reidentified"]) == lab.result.attack.reidentified > 10_000
    assert lab.png[:4] == b"\x89PNG"
    assert "synthetic" in lab.children[0].value  # the notice comes first
    assert lab.banner.message == ""


# A value away from rest for each lever, and what must move when it is set.
def _fewer_named(before, after):
    return after["reidentified"] < before["reidentified"]


MOVES = {
    "release_zip": ("zip3", _fewer_named),
    "release_birth": ("year", _fewer_named),
    # fewer details can only name fewer people (a coarser class is never smaller)
    "release_sex": ("removed", lambda before, after: after["claimed"] <= before["claimed"]
                    and after["settings"] != before["settings"]),
    "release_ethnicity": ("kept", lambda before, after: after["settings"] != before["settings"]),
    "release_language": ("kept", lambda before, after: after["settings"] != before["settings"]),
    "k_target": (11, lambda before, after: after["reidentified"] == 0 and after["k"] >= 11),
    "epsilon": (0.5, lambda before, after: after["settings"] != before["settings"]),
}


def test_every_privacy_lever_has_a_move():
    assert set(MOVES) == set(PRIVACY_LEVERS)


@pytest.mark.parametrize("name", PRIVACY_LEVERS)
def test_moving_each_row_updates_the_state_and_the_numbers(name):
    lab = PrivacyLab(cohort=SMALL)
    before = {k: _num(v) for k, v in _state(lab).items()}
    value, moved = MOVES[name]
    lab.rows[name].value = value
    after = {k: _num(v) for k, v in _state(lab).items()}
    assert after["updates"] == before["updates"] + 1
    assert getattr(lab.release, name) == value == getattr(lab.result.release, name)
    assert f"{name}={value}" in after["settings"]
    assert moved(before, after)
    # the reset button brings the lever and the numbers back
    lab.rows[name]._reset.click()
    again = {k: _num(v) for k, v in _state(lab).items()}
    assert again["updates"] == before["updates"] + 2
    assert {k: v for k, v in again.items() if k != "updates"} == \
        {k: v for k, v in before.items() if k != "updates"}


def _num(value):
    try:
        return float(value)
    except ValueError:
        return value


def test_noise_shows_in_the_cards_and_the_sentence():
    lab = PrivacyLab(cohort=SMALL)
    assert 'data-key="noise"' in lab._cards.value and ">exact<" in lab._cards.value
    lab.rows["epsilon"].value = 0.1
    assert ">exact<" not in lab._cards.value and "ε = 0.1" in lab._cards.value
    assert "random noise" in lab._sentence.value


def test_an_error_shows_a_banner_and_the_lab_keeps_working(monkeypatch):
    lab = PrivacyLab(cohort=SMALL)
    updates, png = lab.updates, lab.png

    def broken(release, cohort=None, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("teachkit.ui.privacy.run_release", broken)
    lab.rows["release_zip"].value = "zip3"
    assert lab.banner.message == GENERIC_MESSAGE
    assert lab.banner.layout.display != "none"
    assert "Traceback" not in lab.banner._message.value
    assert lab.updates == updates and lab.png == png  # the old picture stays
    assert lab.release.release_zip == "zip5"  # the shown result's levers are unchanged
    monkeypatch.setattr("teachkit.ui.privacy.run_release", run_release)
    lab.rows["release_birth"].value = "year"
    assert lab.banner.message == "" and lab.banner.layout.display == "none"
    assert lab.updates == updates + 1
    # the lever moved during the failure takes effect with the next run
    assert lab.release == Release(release_zip="zip3", release_birth="year")


def test_a_teachkit_error_is_shown_in_its_own_words(monkeypatch):
    lab = PrivacyLab(cohort=SMALL)

    def refuses(release, cohort=None, **kwargs):
        raise TeachkitError("The release must keep at least one detail.")

    monkeypatch.setattr("teachkit.ui.privacy.run_release", refuses)
    lab.rows["k_target"].value = 4
    assert lab.banner.message == "The release must keep at least one detail."


def test_update_with_new_levers_moves_the_rows_without_a_second_run():
    lab = PrivacyLab(cohort=SMALL)
    lab.update(Release(k_target=9, release_zip="zip3"))
    assert lab.updates == 2
    assert lab.rows["k_target"].value == 9 and lab.rows["release_zip"].value == "zip3"


def test_the_group_chooser_redraws_the_figure():
    lab = PrivacyLab(Release(k_target=11), cohort=SMALL)
    before, updates = lab.png, lab.updates
    lab._group.value = "sex"
    assert lab.updates == updates + 1 and lab.png != before
    assert 'data-attribute="sex"' in lab._state.value


def test_examples_and_flow_are_labelled_synthetic_and_keep_names_in():
    result = run_release(Release(), SMALL)
    examples = examples_html(result)
    assert "synthetic" in examples and examples.count("<tr>") == 1 + 3
    assert result.attack.examples(1)["name"].iloc[0] in examples
    flow = flow_html(result)
    stays, leaves = flow.split("Leaves the hospital")
    assert "Name" in stays and "Patient record number" in stays
    assert "ZIP code" in leaves and "Crisis in the next year" in leaves
    nobody = examples_html(run_release(Release(k_target=11), SMALL))
    assert "named nobody" in nobody


def test_the_figure_updates_in_place():
    figure = PrivacyFigure()
    figure.update(run_release(Release(), SMALL))
    first = figure.to_png()
    figure.update(run_release(Release(k_target=11), SMALL))
    assert figure.to_png() != first
    named = [bar.get_width() for bar in figure._bars[0]]
    assert named == [0.0] * len(named)
    assert set(REGISTRY) >= set(PRIVACY_LEVERS)
