"""Every file of one publication assembled from the stages below (``assemble``), each
event's VEVENT text made once (``event_texts``), and the changes subscribers will see,
told once across languages (``changes``).

May import: the base modules, ``i18n``, ``model``, ``plan``, ``render``, ``page``.
"""
