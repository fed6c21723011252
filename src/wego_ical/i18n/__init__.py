"""The tool's own words and the languages it speaks: language codes and how pages name
them (``locales``), the UI's words in each language (``ui_text``), days, times and
zones in words from CLDR (``dates``).

May import: the base modules (errors, limits, words). Nothing else of wego-ical.
"""
