"""Posterior reports: the content (:mod:`.content`, figures in :mod:`.figures`) as a
format-free document (:mod:`.document`), rendered to HTML (:mod:`.render_html`) or
Markdown (:mod:`.render_markdown`), written by :mod:`.report`."""

from copath.reports.report import write_report

__all__ = ["write_report"]
