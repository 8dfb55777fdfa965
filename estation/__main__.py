"""`python -m estation ...` is the `estation` command."""

from estation.cli import app

app(prog_name="estation")
