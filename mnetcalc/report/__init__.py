"""How a cost report is shown: the shared formats and the per-layer table as text, Markdown, CSV
and JSON (:mod:`.tables`), the grid of a sweep (:mod:`.sweep`), one layer's Table 3
(:mod:`.layer_comparison`), the calculator beside fvcore (:mod:`.check`). No computation happens
here. Importing this package imports none of them."""
