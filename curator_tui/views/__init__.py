"""Headless read models and formatting both faces (the CLI and the TUI) render.

Typed objects built from store reads and sync results: no textual, no SQL (import-linter
checks both). Modules here are imported at the app's first paint, so they stay light.
"""
