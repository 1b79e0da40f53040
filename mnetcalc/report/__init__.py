"""How a cost report is shown: tables as text, Markdown, CSV and JSON (:mod:`.tables`), and the
calculator beside fvcore (:mod:`.check`). No computation happens here. Importing this package
imports none of them."""
