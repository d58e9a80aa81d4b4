"""Spreadsheets and documents for coordinators, built from a replica (usually the hub).

- `model`: `build_monthly_report()` → `MonthlyReport`, the one source of every figure (the
  month's, the roadmap-to-date ones, subtotals, the chart's), and `school_summaries()` for
  the hub dashboard;
- `columns`: the tables (headers, values, widths) all formats share;
- `xlsx_writer` (XlsxWriter), `docx_writer` (python-docx; its chart from `chart_png`,
  matplotlib), `markdown_writer`, `csv_writer`: one format each;
- `output`: formats, default location, atomic no-clobber saving; `months`: «2026-11» and
  Russian month names.

Import from the submodules: this package stays light, so a dashboard that only needs the
summary does not load XlsxWriter, python-docx or matplotlib.
"""
