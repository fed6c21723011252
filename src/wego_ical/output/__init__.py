"""Output stage: the output folder, written all or nothing (``write``), one file at a
time (``produce``; a large series' event files and feeds by a process of their own:
``spliced``), never through a link (``folder``), under one lock (``lock``), with
wego-ical's hidden files beside it (``hidden_files``), what the last build left, read
back (``previous``), the skip of a build that would change nothing (``buildcache``) and
the pieces of the exports a rebuild may copy (``kept_pieces``).

May import: every stage below it (``publication`` and what it imports).
"""
