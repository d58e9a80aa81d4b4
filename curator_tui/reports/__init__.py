"""Spreadsheets and documents for coordinators, built from a replica (usually the hub).

- `model`: `build_monthly_report()` → `MonthlyReport`, the one source of every figure, and
  `school_summaries()` for the hub dashboard;
- `columns`: the tables (headers, values, widths) all formats share;
- `xlsx_writer`, `docx_writer`, `markdown_writer`, `csv_writer`: one format each;
- `output`: formats, default location, atomic no-clobber saving; `months`: «2026-11» and
  Russian month names.

Import from the submodules: this package stays light, so a dashboard that only needs the
summary does not load openpyxl and python-docx.
"""
