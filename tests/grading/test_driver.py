"""The grading driver's own start-up: what it leaves out, and that nbformat still works."""

from __future__ import annotations

import subprocess
import sys

CODE = """\
import sys
from teachkit.grading._driver import UNUSED_SLOW_IMPORTS, skip_unused_imports
skip_unused_imports()
import nbclient, nbformat
nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
print(sorted(n for n in UNUSED_SLOW_IMPORTS if sys.modules.get(n) is not None))
print("jsonschema" in sys.modules)
"""


def test_the_driver_skips_the_slow_iri_checker_and_still_validates_notebooks():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "True"]  # nbformat validated with jsonschema, without the parser
