"""Allow ``python -m wego_ical``."""

from wego_ical.cli import main

# Guarded: a process that multiprocessing starts (serve's builds) may import this module.
if __name__ == "__main__":
    main()
