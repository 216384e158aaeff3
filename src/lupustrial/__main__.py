"""`python -m lupustrial`: the same command as the `lupustrial` console script."""

from lupustrial.cli import main

main()
