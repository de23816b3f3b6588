"""Where the tests' data files are."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OASIS = DATA / "oasis"
