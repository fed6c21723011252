"""Publishing a built folder: to CalDAV servers (``caldav``), to S3-compatible storage
(``s3``), through nginx (``nginx``); the HTTP headers each file is served with
(``http_headers``), what a host name is (``hostnames``) and the bounds on servers'
answers (``http_limits``).

May import: every stage up to ``output``; never ``pipeline``, ``serve`` or the commands.
"""
