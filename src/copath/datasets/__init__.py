"""Bundled datasets and readers for real public data.

- :func:`load` reads a dataset bundled in ``datasets/`` (e.g. ``synthetic_force``);
- :func:`read_police_uk` reads police.uk street/outcomes files (or the ASB extract);
- :func:`read_pas` reads the London Public Attitude Survey borough file;
- :mod:`copath.datasets.values` holds the cited value tables in pounds (Home Office unit
  costs of crime, the Green Book's WELLBY, the GDP deflator) and uprates between price years.

Example
-------
>>> import copath as cp
>>> "synthetic_force" in cp.datasets.list_datasets()
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from copath.datasets import values
from copath.datasets.pas import read_pas
from copath.datasets.police_uk import read_police_uk
from copath.errors import DataError
from copath.resources import bundled_dir
from copath.yaml_io import read_yaml

__all__ = ["load", "load_truth", "list_datasets", "read_police_uk", "read_pas", "values"]


def list_datasets() -> list[str]:
    """Names of the bundled datasets.

    Returns
    -------
    list[str]
        Sorted names, each loadable with :func:`load`.
    """
    return sorted(p.stem for p in bundled_dir("datasets").glob("*.csv"))


def load(name: str) -> pd.DataFrame:
    """A bundled dataset as a DataFrame (its data card is ``datasets/NAME.md``).

    Parameters
    ----------
    name
        A name from :func:`list_datasets`, e.g. ``"synthetic_force"``.

    Returns
    -------
    pandas.DataFrame
        One row per area x month, columns as the data card describes.

    Example
    -------
    >>> import copath as cp
    >>> df = cp.datasets.load("synthetic_force")
    >>> df[["area", "month"]].drop_duplicates().shape[0] == len(df)
    True
    """
    file = bundled_dir("datasets") / f"{name}.csv"
    if not file.is_file():
        raise DataError(f"no bundled dataset {name!r}; bundled: {', '.join(list_datasets())}")
    return pd.read_csv(file)


def load_truth(name: str) -> dict:
    """The true parameter values behind a simulated bundled dataset (``NAME.truth.yaml``).

    Parameters
    ----------
    name
        A bundled dataset made by :func:`copath.simulate`.

    Returns
    -------
    dict
        Parameter group (``beta``, ``intercept``, ...) -> name -> value, as :func:`copath.simulate` returns it.

    Example
    -------
    >>> import copath as cp
    >>> truth = cp.datasets.load_truth("synthetic_force")
    >>> "nw_coverage -> burglary" in truth["beta"]
    True
    """
    file = bundled_dir("datasets") / f"{name}.truth.yaml"
    if not file.is_file():
        raise DataError(f"bundled dataset {name!r} has no truth file (it is not simulated)", file=Path(file).name)
    return read_yaml(file)
