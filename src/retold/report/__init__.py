"""The HTML report: one self-contained page for an analysis (copies, stories, passages, provenance).

See :mod:`retold.report.render` for the data model it renders.  Needs Jinja2
(``pip install 'retold[report]'``), imported only when a report is rendered.
"""
from .render import render_report, report_html

__all__ = ["render_report", "report_html"]
