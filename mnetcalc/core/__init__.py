"""The building blocks every network shares: layer types (:mod:`.layers`), the cost formulas
(:mod:`.formulas`), the cost engine and configuration base class (:mod:`.network`), the record
type (:mod:`.record`). Importing this package imports none of them."""
