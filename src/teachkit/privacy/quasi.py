"""Quasi-identifiers: the details that are not names but can lead back to one.

A quasi-identifier is a detail such as a ZIP code, a date of birth or sex: harmless
alone, but other lists (a voter roll, a social-media profile) hold it next to a name,
so a few of them together can single a person out (Sweeney 2000). Each one here has a
*generalisation hierarchy*, from the exact value to coarser and coarser ones:

===========  =============================================================================
detail       levels, most exact first (the last withholds it)
===========  =============================================================================
zip          ``zip5`` (80312), ``zip3`` (803**), ``zip2`` (80***), ``none``
birth        ``date`` (1987-04-12), ``month`` (1987-04), ``year``, ``5y`` (1985-1989),
             ``10y`` (1980-1989), ``none``
sex          ``kept``, ``removed``
ethnicity    ``kept``, ``removed``
language     ``kept``, ``removed``
===========  =============================================================================

Patients who share every released detail form an *equivalence class*; the size of the
smallest class is the release's k (:func:`k_anonymity`). A class of one is a patient
anybody holding the same details elsewhere can pick out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import TeachkitError

__all__ = [
    "QUASI_IDENTIFIERS",
    "HIERARCHY",
    "LEVEL_NAMES",
    "RAW_COLUMNS",
    "generalise",
    "labels",
    "k_anonymity",
    "equivalence_classes",
]

QUASI_IDENTIFIERS = ("zip", "birth", "sex", "ethnicity", "language")
#: Levels of each quasi-identifier, most exact first; the last withholds the detail.
HIERARCHY = {
    "zip": ("zip5", "zip3", "zip2", "none"),
    "birth": ("date", "month", "year", "5y", "10y", "none"),
    "sex": ("kept", "removed"),
    "ethnicity": ("kept", "removed"),
    "language": ("kept", "removed"),
}
#: The cohort (and register) column each quasi-identifier is read from.
RAW_COLUMNS = {"zip": "zip5", "birth": "birth_date", "sex": "sex", "ethnicity": "ethnicity",
               "language": "language"}
#: Plain-language names of the details and of their levels, for the apps.
DETAIL_NAMES = {"zip": "ZIP code", "birth": "date of birth", "sex": "sex / gender",
                "ethnicity": "ethnicity", "language": "language"}
LEVEL_NAMES = {
    "zip": {"zip5": "full 5 digits", "zip3": "first 3 digits", "zip2": "first 2 digits",
            "none": "removed"},
    "birth": {"date": "full date", "month": "month and year", "year": "year only",
              "5y": "5-year band", "10y": "10-year band", "none": "removed"},
    "sex": {"kept": "kept", "removed": "removed"},
    "ethnicity": {"kept": "kept", "removed": "removed"},
    "language": {"kept": "kept", "removed": "removed"},
}


def _withheld(level: str) -> bool:
    return level in ("none", "removed")


def generalise(frame: pd.DataFrame, detail: str, level: str) -> np.ndarray:
    """Integer codes of one quasi-identifier at one level (equal code, equal value).

    Parameters
    ----------
    frame : DataFrame
        Has the raw column of ``detail`` (:data:`RAW_COLUMNS`): a cohort or a register.
    detail : {"zip", "birth", "sex", "ethnicity", "language"}
    level : str
        One of ``HIERARCHY[detail]``; a withheld level gives all zeros.

    Returns
    -------
    codes : ndarray of int64
        For ZIP codes and dates the codes are the values themselves (80312, 803, days
        since 1970, years...), so :func:`labels` can print them.

    Examples
    --------
    >>> frame = pd.DataFrame({"zip5": ["80312", "80399", "81200"]})
    >>> generalise(frame, "zip", "zip3").tolist()
    [803, 803, 812]
    """
    if _withheld(level):
        return np.zeros(len(frame), dtype=np.int64)
    column = frame[RAW_COLUMNS[detail]]
    if detail == "zip":
        values = _zip_numbers(column)
        return values // {"zip5": 1, "zip3": 100, "zip2": 1000}[level]
    if detail == "birth":
        dates = column.to_numpy(dtype="datetime64[D]")
        if level == "date":
            return dates.astype(np.int64)
        if level == "month":
            return dates.astype("datetime64[M]").astype(np.int64)
        years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        width = {"year": 1, "5y": 5, "10y": 10}[level]
        return years // width * width
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(column, sort=True)[0].astype(np.int64)


def _zip_numbers(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.asarray(column.cat.categories, dtype=np.int64)
        return lookup[column.cat.codes.to_numpy()]
    return column.astype(np.int64).to_numpy()


def labels(frame: pd.DataFrame, detail: str, level: str) -> pd.Categorical:
    """The released values of one quasi-identifier at one level, as people read them.

    Examples
    --------
    >>> frame = pd.DataFrame({"birth_date": pd.to_datetime(["1987-04-12", "1989-12-01"])})
    >>> list(labels(frame, "birth", "5y"))
    ['1985-1989', '1985-1989']
    >>> list(labels(frame, "birth", "month"))
    ['1987-04', '1989-12']
    """
    codes = generalise(frame, detail, level)
    unique, inverse = np.unique(codes, return_inverse=True)
    if detail in ("sex", "ethnicity", "language"):
        column = frame[RAW_COLUMNS[detail]]
        if isinstance(column.dtype, pd.CategoricalDtype):
            names = [str(column.cat.categories[c]) for c in unique]
        else:
            names = [str(v) for v in np.sort(pd.unique(column))]
            names = [names[c] for c in unique]
    elif level == "date":
        names = np.datetime_as_string(unique.astype("datetime64[D]"), unit="D").tolist()
    elif level == "month":
        names = np.datetime_as_string(unique.astype("datetime64[M]"), unit="M").tolist()
    else:
        names = [_format(detail, level, int(c)) for c in unique]
    return pd.Categorical.from_codes(inverse.reshape(-1), categories=pd.Index(names))


def _format(detail: str, level: str, code: int) -> str:
    if detail == "zip":
        return {"zip5": f"{code:05d}", "zip3": f"{code:03d}**", "zip2": f"{code:02d}***"}[level]
    if level == "year":
        return str(code)
    width = 5 if level == "5y" else 10
    return f"{code}-{code + width - 1}"


def _check_frame(df, quasi_identifiers, caller) -> list[str]:
    if not isinstance(df, pd.DataFrame):
        raise TeachkitError(
            f"The 'df' parameter of {caller} must be a pandas DataFrame. Got "
            f"{type(df).__name__} instead."
        )
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    columns = list(quasi_identifiers)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise TeachkitError(
            f"The 'quasi_identifiers' parameter of {caller} must name columns of the "
            f"table; {missing} are not among {list(df.columns)}."
        )
    if len(df) == 0:
        raise TeachkitError(
            f"The 'df' parameter of {caller} must have at least one row: an empty release "
            "has no equivalence classes (every patient was withheld)."
        )
    return columns


def equivalence_classes(df: pd.DataFrame, quasi_identifiers) -> pd.DataFrame:
    """The groups of rows that share every quasi-identifier, smallest first.

    Parameters
    ----------
    df : DataFrame
        A released table (or any table).
    quasi_identifiers : sequence of str
        Its columns an outsider could also know. With none, the whole table is one class.

    Returns
    -------
    classes : DataFrame
        One row per class: the shared values and ``size`` (how many rows share them),
        sorted by size, then by value.

    Raises
    ------
    TeachkitError
        If ``df`` is not a DataFrame, has no rows, or lacks a named column.

    Examples
    --------
    >>> table = pd.DataFrame({"zip": ["803**", "803**", "812**"], "sex": ["f", "f", "m"]})
    >>> equivalence_classes(table, ["zip", "sex"])
         zip sex  size
    0  812**   m     1
    1  803**   f     2
    """
    columns = _check_frame(df, quasi_identifiers, "equivalence_classes")
    if not columns:
        return pd.DataFrame({"size": [len(df)]})
    sizes = df.groupby(columns, observed=True, dropna=False, sort=True).size()
    classes = sizes.reset_index(name="size")
    return classes.sort_values("size", kind="stable").reset_index(drop=True)


def k_anonymity(df: pd.DataFrame, quasi_identifiers) -> int:
    """The k of a table: the size of its smallest equivalence class.

    A table is k-anonymous when every row shares its quasi-identifiers with at least
    k - 1 others, so nobody who knows those details can tell which of k rows is the
    person they look for. k = 1 means at least one row stands out alone.

    Parameters
    ----------
    df : DataFrame
    quasi_identifiers : sequence of str
        Columns of ``df``; with none, k is the number of rows.

    Returns
    -------
    k : int

    Raises
    ------
    TeachkitError
        If the table is empty (k is undefined), or a column is missing.

    Examples
    --------
    >>> table = pd.DataFrame({"zip": ["803**", "803**", "812**", "812**"],
    ...                       "year": [1980, 1980, 1990, 1991]})
    >>> k_anonymity(table, ["zip"]), k_anonymity(table, ["zip", "year"])
    (2, 1)
    >>> k_anonymity(table.iloc[:0], ["zip"])
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'df' parameter of k_anonymity must have at \
least one row: an empty release has no equivalence classes (every patient was withheld).
    """
    columns = _check_frame(df, quasi_identifiers, "k_anonymity")
    if not columns:
        return len(df)
    return int(df.groupby(columns, observed=True, dropna=False).size().min())
