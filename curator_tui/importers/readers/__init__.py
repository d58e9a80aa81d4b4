"""Readers for the office formats beyond Word and the text export.

Each turns a file's bytes into a `SourceDocument` (prose and rows of cells) and nothing more:
which column is which, sections and continuation rows are the layout's work, the same for
every format. Libraries are imported inside the readers, so only the format being read pays
for its library.
"""
