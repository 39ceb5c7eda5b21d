"""The screening engine: pure Python, no ORM.

A frozen `ScreeningInput` (the contract of SCREENING.md) and the catalog's
`CatalogFacts` go in; a `ScreeningResult` comes out. Everything here is
testable by tables without a database.
"""
