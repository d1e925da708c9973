"""Reading and writing cohorts: CSV or Parquet, chosen by the file's suffix.

CSV output is byte-for-byte reproducible: the same cohort always gives the same bytes
(fixed column order, ``\\n`` line endings, dates as ``YYYY-MM-DD``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._validation import TeachkitError

__all__ = ["save_cohort", "load_cohort", "SUFFIXES"]

SUFFIXES = (".csv", ".parquet")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TeachkitError(
            f"The output file must end in .csv or .parquet, so teachkit knows which format "
            f"to write. Got {str(path)!r} instead."
        )
    return suffix


def save_cohort(cohort: pd.DataFrame, path: str | Path) -> Path:
    """Write a cohort to ``path`` as CSV or Parquet (by suffix) and return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from teachkit.cohort import make_cohort
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "cohort.csv"
    >>> save_cohort(make_cohort(10, seed=1), out).name
    'cohort.csv'
    """
    path = Path(path)
    suffix = _suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        out = cohort.copy()
        if "birth_date" in out:
            out["birth_date"] = out["birth_date"].dt.strftime("%Y-%m-%d")
        out.to_csv(path, index=False, lineterminator="\n")
    else:
        cohort.to_parquet(path, index=False)
    return path


def load_cohort(path: str | Path) -> pd.DataFrame:
    """Read a cohort written by :func:`save_cohort` (CSV or Parquet).

    A CSV gets back the types :func:`~teachkit.cohort.make_cohort` gives (from the data
    dictionary, :data:`teachkit.datacard.COLUMNS`): categories in their order, ZIP codes
    as text, small integers, booleans and dates.
    """
    from .cohort import ALL_LEVELS
    from .datacard import COLUMNS

    path = Path(path)
    suffix = _suffix(path)
    if not path.exists():
        raise TeachkitError(f"No cohort file at {str(path)!r}.")
    if suffix == ".parquet":
        return pd.read_parquet(path)
    dtypes = {c.name: c.dtype for c in COLUMNS}
    text = [name for name, dtype in dtypes.items() if dtype == "category"]
    cohort = pd.read_csv(path, dtype={name: str for name in text})
    for name in cohort.columns:
        dtype = dtypes.get(name)
        if dtype is None:
            continue
        if dtype == "category":
            levels = ALL_LEVELS.get(name)
            cohort[name] = (pd.Categorical(cohort[name], categories=list(levels))
                            if levels else cohort[name].astype("category"))
        elif dtype.startswith("datetime64"):
            cohort[name] = pd.to_datetime(cohort[name]).astype(dtype)
        else:
            cohort[name] = cohort[name].astype(dtype)
    return cohort
