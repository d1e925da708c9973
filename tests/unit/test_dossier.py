"""The lesson-07 dossier: model card, HTML and PDF, the saved deployment and the CLI."""

from __future__ import annotations

import io
import math

import pypdf
import pytest

from teachkit._validation import TeachkitError
from teachkit.cli import main
from teachkit.rules import ALL_STAGES, NOT_LEGAL_ADVICE, evaluate
from teachkit.rules.document import Bullets, Section, Table, markdown_to_html, to_html
from teachkit.rules.dossier import build_dossier
from teachkit.rules.modelcard import MODEL_CARD_SECTIONS, model_card, wilson_interval
from teachkit.rules.saved import DeploymentStore, deployment_from_json, deployment_to_json
from teachkit.stages import Deployment

DEPLOYMENT = Deployment(ALL_STAGES, model="logistic", oversight="dropped")


@pytest.fixture(scope="module")
def checklist():
    return evaluate(DEPLOYMENT)


@pytest.fixture(scope="module")
def dossier(checklist):
    return build_dossier(checklist)


def test_model_card_has_mitchells_nine_sections_in_order(checklist):
    assert tuple(s.title for s in model_card(checklist)) == MODEL_CARD_SECTIONS


def test_model_card_is_disaggregated_from_the_run(checklist):
    card = {s.title: s for s in model_card(checklist)}
    table = next(b for b in card["Quantitative analyses"].blocks if isinstance(b, Table))
    by_group = checklist.facts.by_group
    assert len(table.rows) == len(by_group)
    for row, ((attribute, group), numbers) in zip(table.rows, by_group.iterrows()):
        assert (row[0], row[1]) == (attribute, group)
        assert row[3] == f"{numbers['flagged']:.0f}"
        crises = row[4]
        assert ("not given" in row[5]) == (crises < 20)
    metrics = card["Metrics"].blocks[0]
    assert ("flagged per 1,000 patients", f"{checklist.facts.flagged:.1f}") in metrics.rows
    # Ethical considerations name every red rule of this run.
    text = " ".join(str(b) for b in card["Ethical considerations"].blocks)
    for item in checklist.reds:
        assert item.title in text


def test_wilson_interval():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_dossier_html_holds_every_part(dossier, checklist):
    html = dossier.html()
    assert NOT_LEGAL_ADVICE.split(".")[0] in html
    for heading in (*MODEL_CARD_SECTIONS, "Checklist", "Impact level",
                    "Datasheet of the cohort", "Audit log", "1.1 Motivation"):
        assert f">{heading}<" in html, heading
    for item in checklist:
        assert item.title in html
    assert "not yet confirmed" in html and "2 Dec 2027" in html
    assert html == build_dossier(checklist).html()  # the same run, the same bytes
    assert "<script" not in html


def test_dossier_pdf_has_the_model_card_headings(dossier):
    reader = pypdf.PdfReader(io.BytesIO(dossier.pdf()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in MODEL_CARD_SECTIONS:
        assert heading in text, heading
    assert "not legal advice" in text and "Impact level" in text


def test_markdown_subset_and_escaping():
    out = markdown_to_html("# Title\n\nA **bold** `code` <script>x</script>\n\n- one\n- two\n\n"
                           "| a | b |\n| --- | --- |\n| 1 | 2 |\n", shift=1)
    assert "<h2>Title</h2>" in out and "<b>bold</b>" in out and "<code>code</code>" in out
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "<ul><li>one</li><li>two</li></ul>" in out
    assert "<th>a</th>" in out and "<td>2</td>" in out and "---" not in out
    page = to_html("T", [Section("S", ("p", Bullets(("x",)), Table(("h",), (("red",),))))])
    assert 'class="status-red"' in page


# -- the saved deployment -----------------------------------------------------------------
def test_deployment_round_trips_through_json():
    d = Deployment(ALL_STAGES, model="boosting", n=5_000, epsilon=1.0, drift_shock=12,
                   oversight="model_alone", consent="honoured")
    assert deployment_from_json(deployment_to_json(d)) == d


@pytest.mark.parametrize("text, message", [
    ("", "must be JSON"),
    ("[1, 2]", "must be a JSON object with 'stages'"),
    ('{"levers": {}}', "must be a JSON object with 'stages'"),
    ('{"stages": ["consent"], "extra": 1}', "must be a JSON object with 'stages'"),
    ('{"stages": ["nonsense"]}', "'stages' must be a list of stage names"),
    ('{"stages": "consent"}', "'stages' must be a list of stage names"),
    ('{"stages": [], "cohort": {"n": 5, "evil": 1}}', "'cohort' must be an object"),
    ('{"stages": [], "levers": [1]}', "'levers' must be an object"),
    ('{"stages": ["consent"], "levers": {"nobody": 1}}', "unexpected lever 'nobody'"),
    ('{"stages": ["consent"], "levers": {"oversight": "dropped"}}',
     "belongs to the stage 'oversight'"),
    ('{"stages": ["oversight"], "levers": {"review_capacity": 1e9}}',
     r"must be an int in the range \[0, 120\]"),
    ("x" * 30_000, "at most 20,000 characters"),
])
def test_a_hostile_saved_deployment_gives_one_clear_line(text, message):
    with pytest.raises(TeachkitError, match=message) as info:
        deployment_from_json(text)
    assert "\n" not in str(info.value)


def test_store_keeps_each_trainees_deployment(tmp_path):
    store = DeploymentStore(tmp_path)
    ana = Deployment(ALL_STAGES, oversight="dropped")
    store.save_deployment("Dr. Ana López", ana)
    store.save_deployment("Ben", Deployment(ALL_STAGES))
    # A new store (a reload, a new kernel) reads the same deployment, whatever the spelling.
    assert DeploymentStore(tmp_path).load_deployment("dr ana lópez") == ana
    assert DeploymentStore(tmp_path).load_deployment("Ben") == Deployment(ALL_STAGES)
    assert DeploymentStore(tmp_path).load_deployment("Cy") is None
    assert not (tmp_path / "reflections").exists()  # never mixed with reflections


# -- the command line ---------------------------------------------------------------------
def test_cli_writes_the_dossier_of_a_saved_file(tmp_path, capsys):
    saved = tmp_path / "mine.json"
    saved.write_text(deployment_to_json(DEPLOYMENT))
    assert main(["dossier", str(saved), "--out", str(tmp_path / "out" / "d")]) == 0
    assert (tmp_path / "out" / "d.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "d.pdf").read_bytes().startswith(b"%PDF")
    # Never overwritten by surprise.
    assert main(["dossier", str(saved), "--out", str(tmp_path / "out" / "d")]) == 2
    assert "exists already" in capsys.readouterr().err


def test_cli_reads_a_trainees_deployment(tmp_path):
    DeploymentStore(tmp_path).save_deployment("Ana", DEPLOYMENT)
    assert main(["dossier", "--trainee", "ana", "--data-dir", str(tmp_path),
                 "--out", str(tmp_path / "ana")]) == 0
    assert (tmp_path / "ana.pdf").exists()


@pytest.mark.parametrize("argv, message", [
    ([], "Give a saved deployment file, or --trainee NAME"),
    (["missing.json"], "No saved deployment at 'missing.json'"),
    (["--trainee", "Zed"], "'Zed' has saved no deployment"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEACHKIT_HOME", str(tmp_path))
    assert main(["dossier", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
