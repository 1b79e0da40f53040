"""Helpers for the book's chapters only, apart from the library's core: the figures
(:mod:`.figures`, matplotlib imported by the drawing functions) and the notebook display helpers
(:mod:`.display`), and the architecture chapter's MobileNet v1 in plain PyTorch
(:mod:`.from_scratch`, torch only, shown in the book whole). Importing this package imports none of
them."""
