"""Data the kernel reads, kept as Python modules so that it is packaged, typed and checked with the code
(``kz_calendar``: Kazakhstan's holidays, days off, carry-overs and transfers, year by year; ``akimats``:
the local executive bodies of the region's cities and districts, with their BINs)."""
