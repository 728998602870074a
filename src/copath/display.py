"""Escaped HTML pieces for Jupyter's ``_repr_html_`` and the reports: tables, text, images.

Every object that shows itself in a notebook (a pathway, a fitted result, a scenario,
a sensitivity analysis) builds its HTML from these, so every user string (a node
label, a scenario name) is escaped the same way.

Example
-------
>>> import pandas as pd
>>> frame_html(pd.DataFrame({"label": ["<b>x</b>"], "v": [0.123456]}))  # doctest: +ELLIPSIS
'<table ...&lt;b&gt;x&lt;/b&gt;...0.123...'
>>> paragraphs("a < b\\nc")
'<p>a &lt; b</p><p>c</p>'
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np
import pandas as pd

__all__ = ["format_frame", "frame_html", "paragraphs", "png_img", "text_table"]


def format_frame(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Floats to ``digits`` significant digits, booleans to yes/no, everything as text.

    Example
    -------
    >>> format_frame(pd.DataFrame({"a": [1234.5678, float("nan")], "b": [True, False]}), 3).values.tolist()
    [['1.23e+03', 'yes'], ['', 'no']]
    """

    def cell(v: object) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else f"{v:.{digits}g}"
        return str(v)

    return frame.map(cell)


def frame_html(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as an escaped HTML table with floats to ``digits`` significant digits."""
    return format_frame(frame, digits).to_html(escape=True, border=0)


def text_table(frame: pd.DataFrame) -> str:
    """A DataFrame's columns and rows (not its index) as left-aligned plain text, for the CLI.

    Example
    -------
    >>> print(text_table(pd.DataFrame({"id": ["a", "bb"], "n": [1, 22]})))
    id  n
    a   1
    bb  22
    """
    widths = {c: max(len(str(c)), *(len(str(v)) for v in frame[c])) for c in frame.columns}
    lines = ["  ".join(str(c).ljust(widths[c]) for c in frame.columns).rstrip()]
    lines += ["  ".join(str(v).ljust(widths[c]) for c, v in zip(frame.columns, row, strict=True)).rstrip()
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def paragraphs(text: str) -> str:
    """Each line of ``text`` as an escaped ``<p>``."""
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines())


def png_img(png: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG embedded as a data URI and an escaped ``alt`` text."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" style="max-width:100%">'
