"""The README documents what the project promises: the two commands, every CLI command,
every lever, every lesson; CI calls the README's test command."""

import re
from pathlib import Path

from teachkit.cli import build_parser
from teachkit.levers import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "make serve" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call the README's test command"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_every_cli_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"teachkit {name}" in README, f"'teachkit {name}' is not documented"


def test_every_lever_is_documented_with_label_tooltip_and_source():
    for name, spec in REGISTRY.items():
        assert f"`{name}`" in README, f"lever {name!r} is missing from the README"
        assert spec.label and spec.tooltip.endswith(".") and spec.source


def test_every_lesson_is_listed():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"notebooks/{notebook.name}" in README, f"{notebook.name} is not in the README"


def test_the_screenshot_exists_and_a_script_makes_it():
    import runpy

    shots = runpy.run_path(str(ROOT / "scripts" / "screenshots.py"))["SHOTS"]
    assert "scripts/screenshots.py" in README
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), f"README shows a missing image: {image}"
        if image.startswith("docs/images/"):
            assert Path(image).stem in shots, f"scripts/screenshots.py does not make {image}"


# -- the README's lever tables, checked field by field against the specs ---------------
def _lever_rows() -> dict[str, list[str]]:
    """Each README lever row by name: its cells after the name."""
    rows = {}
    for line in README.splitlines():
        match = re.match(r"^\| `([a-z_0-9]+)` \|(.*)\|\s*$", line)
        if match and match.group(1) in REGISTRY:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bound(spec, value) -> str:
    return spec.display(value).removesuffix(" %") if spec.unit == "%" else _number(value)


def test_every_registered_lever_has_one_readme_row():
    rows = _lever_rows()
    from teachkit.stages import all_stages

    all_stages()
    assert set(rows) == set(REGISTRY)


def test_each_readme_lever_row_matches_its_spec_label_values_and_rest():
    from teachkit._validation import Options

    for name, cells in _lever_rows().items():
        spec = REGISTRY[name]
        label, *middle, rest = cells
        values = middle[-1]
        assert label == spec.label, f"{name}: README label {label!r} != {spec.label!r}"
        if isinstance(spec.constraint, Options):
            for option in spec.constraint.values:
                shown = f"`{option}`" if isinstance(option, str) else _number(option)
                assert shown in values, f"{name}: option {shown} missing from {values!r}"
            first = f"`{spec.rest}`" if isinstance(spec.rest, str) else _number(spec.rest)
        else:
            low, high = (_bound(spec, v) for v in (spec.constraint.low, spec.constraint.high))
            assert re.search(rf"{re.escape(low)}( %)?–{re.escape(high)}", values), \
                f"{name}: range {low}–{high} missing from {values!r}"
            first = spec.display(spec.rest) if spec.unit == "%" else _number(spec.rest)
        assert rest.startswith(first), f"{name}: rest {rest!r} does not start with {first!r}"
