"""Output stage: the output folder, written all or nothing (``write``), one file at a
time (``produce``), never through a link (``folder``), under one lock (``lock``), with
wego-ical's hidden files beside it (``hidden_files``), the skip of a build that
would change nothing (``buildcache``) and the pieces of the exports a rebuild may copy
(``kept_pieces``).

May import: every stage below it (``publication`` and what it imports).
"""
