"""«Куратор»: offline-first tool for the «500+» school support programme."""
