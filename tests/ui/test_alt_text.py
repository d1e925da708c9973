"""Every figure has words (issue 14): alt text built from the numbers the figure draws."""

import html
import re

from teachkit.cohort import make_cohort
from teachkit.pipeline import Settings, simulate
from teachkit.plotting import ConsequenceFigure, PrivacyFigure
from teachkit.privacy import Release, run_release
from teachkit.ui import Dashboard


def test_consequence_alt_text_gives_the_counts_the_picture_draws():
    figure = ConsequenceFigure()
    assert figure.alt_text() == ""
    figure.update(simulate(Settings(model="logistic")).consequences, "language")
    words = figure.alt_text()
    counts = figure.counts
    assert f"{counts['caught']} caught, {counts['missed']} missed" in words
    assert f"{counts['needless']} needless escalations" in words
    assert sum(counts.values()) == 1000
    assert "by language" in words and "Limited English:" in words


def test_alt_text_follows_the_levers_and_the_group_chooser():
    figure = ConsequenceFigure()
    figure.update(simulate(Settings(model="logistic")).consequences, "ethnicity")
    before = figure.alt_text()
    figure.update(simulate(Settings(model="logistic", threshold=0.2)).consequences, "sex")
    after = figure.alt_text()
    assert before != after and "by sex" in after
    numbers = [int(n) for n in re.findall(r"(\d+) caught", after)]
    assert numbers and all(n >= 0 for n in numbers)


def test_dashboard_puts_the_alt_text_right_after_its_image():
    dashboard = Dashboard()
    dashboard.show(simulate(Settings(model="logistic")))
    children = list(dashboard.children)
    alt = children[children.index(dashboard._image) + 1]
    assert "tk-figure-alt" in alt._dom_classes and alt.layout.display == "none"
    assert html.unescape(alt.value) == f"<span>{dashboard.figure.alt_text()}</span>"
    assert dashboard.figure.alt_text()


def test_privacy_alt_text_names_each_panel():
    figure = PrivacyFigure()
    cohort = make_cohort(2_000, seed=1)
    figure.update(run_release(cohort=cohort), "sex")
    words = figure.alt_text()
    assert "named by the attack, by sex" in words and "exact counts" in words
    figure.update(run_release(Release(epsilon=1.0), cohort=cohort), "sex")
    assert "exact counts" not in figure.alt_text()


def test_a_text_table_beside_the_bars_gives_the_numbers_they_draw():
    dashboard = Dashboard(attribute="language")
    dashboard.show(simulate(Settings(model="logistic")))
    children = list(dashboard.children)
    assert children.index(dashboard._table) == children.index(dashboard._image) + 2
    table = dashboard._table.value
    assert "<caption>" not in table and "<caption " in table and "by language" in table
    for row in dashboard.figure.group_rows:
        cells = re.search(rf"{re.escape(row['group'])}</th>(.*?)</tr>", table).group(1)
        numbers = re.findall(r">([\d,]+)</td>", cells)
        assert numbers == [f"{row['patients']:,}", str(round(row["caught"])),
                           str(round(row["missed"])), str(round(row["baseline_caught"]))]
        assert f"{row['group']}: {round(row['caught'])} caught, {round(row['missed'])} " \
               "missed" in dashboard.figure.alt_text()  # the table and the alt text agree
    assert "Caught: usual rule" in table
    dashboard._group.value = "sex"
    assert "by sex / gender" in dashboard._table.value


def test_missed_is_told_from_caught_without_colour():
    from teachkit.plotting import MISSED_HATCH, grid_image, outcome_patch

    image = grid_image({"caught": 1, "missed": 1, "needless": 0, "clear": 998})
    caught, missed = image[0:4, 0:4], image[5:9, 0:4]  # the first two patients, 4 px each
    assert (caught < 1).any(axis=-1).all()  # solid
    assert (missed[1:3, 1:3] == 1.0).all() and (missed[0] < 1).any()  # hollow
    assert outcome_patch("missed").get_hatch() == MISSED_HATCH
    assert outcome_patch("caught").get_hatch() is None
