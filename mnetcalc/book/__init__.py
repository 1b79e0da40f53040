"""Helpers for the book's chapters only, apart from the library's core: the figures
(:mod:`.figures`, matplotlib imported by the drawing functions) and the notebook display helpers
(:mod:`.display`). Importing this package imports none of them."""
