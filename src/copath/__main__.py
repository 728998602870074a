"""``python -m copath`` runs the command line."""

from copath.cli import run

run()
