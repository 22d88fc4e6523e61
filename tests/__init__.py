"""revinfo's test suite: a regular package, so that `tests.strategies` is this folder even where
an installed distribution ships a top-level `tests` package (infomeasure does)."""
