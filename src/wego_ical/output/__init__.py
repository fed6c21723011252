"""Output stage: the output folder, written all or nothing (``write``), one file at a
time (``produce``), never through a link (``folder``), under one lock (``lock``), with
wego-ical's hidden files beside it (``hidden_files``) and the skip of a build that
would change nothing (``buildcache``).

May import: every stage below it (``publication`` and what it imports).
"""
