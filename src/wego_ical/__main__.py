"""Allow ``python -m wego_ical``."""

from wego_ical.cli import main

main()
