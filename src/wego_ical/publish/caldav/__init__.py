"""``publish --caldav``: the client (``client``), credentials (``credentials``), the
journal of what was sent (``journal``) and the sync of one feed (``sync``).

May import: what ``publish`` may.
"""
