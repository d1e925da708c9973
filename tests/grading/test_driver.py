"""What the grader's driver and each sandboxed kernel leave out at start-up, and that
nbformat still validates notebooks without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from teachkit.grading.judge import prelude_code

CHECK = """
import nbclient, nbformat
from teachkit.grading.judge import UNUSED_SLOW_IMPORTS
nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
print(sorted(n for n in UNUSED_SLOW_IMPORTS if sys.modules.get(n) is not None))
print("jsonschema" in sys.modules)
"""
SETUPS = {
    "driver": "from teachkit.grading._driver import skip_unused_imports\nskip_unused_imports()",
    "kernel": f"exec({prelude_code()!r})",
}


@pytest.mark.parametrize("where", sorted(SETUPS))
def test_the_slow_iri_checker_is_skipped_and_notebooks_still_validate(where):
    code = "import sys\n" + SETUPS[where] + CHECK
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "True"]  # nbformat validated with jsonschema, without the parser
