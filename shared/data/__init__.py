"""Data the kernel reads, kept as Python modules so that it is packaged, typed and checked with the code
(``kz_calendar``: Kazakhstan's holidays, days off, carry-overs and transfers, year by year)."""
