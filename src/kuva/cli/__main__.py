"""``python -m kuva.cli``."""

from kuva.cli import main

main()
