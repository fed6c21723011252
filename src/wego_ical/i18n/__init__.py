"""The tool's own words and the languages it speaks: language codes and how pages name
them (``locales``), the UI catalogue in each language (``catalogue``), days, times and
zones in words from CLDR (``dates``).

May import: the base modules (errors, limits, words). Nothing else of wego-ical.
"""
