"""Publish the output folder to S3-compatible object storage (``publish --s3``).

The bucket ends up holding what the folder holds (but for its hidden files:
lock, staging folders, build record), with the headers a static host sends
(:mod:`~wego_ical.publish.http_headers`). Like mkdocs' build, everything is decided before
anything is sent:

1. The folder is read under its shared lock: which files the last build
   generated (``feeds.json`` of each language) and the digest of each.
2. The prefix is listed. An object whose ETag (the MD5 of a single-part upload)
   matches is unchanged. The prefix's owner marker (``.wego-ical-owner.json``)
   must name this series; an object that was not uploaded by it (no owner
   metadata) is never overwritten or deleted.
3. Uploads in an order that never shows a subscriber a broken state: the
   single-event files and the page's script (what feeds and pages link to), then
   the feeds, then the pages, then ``feeds.json`` (each language's folder before
   the default one's); objects the publication no longer has are deleted last.
4. The marker records the header rules last: an interrupted publish leaves it
   unrecorded, so that the next one checks every object again.

Safe to re-run after any failure: each step brings one object to its final
state, and nothing is deleted before everything is in place. boto3 is imported
only here (``pip install 'wego-ical[s3]'``); credentials come from its usual
chain (environment, profile), never from the command line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from wego_ical.catalogue import STATE_FILE, cache_control, content_type, upload_rank
from wego_ical.errors import PublishError
from wego_ical.limits import MAX_LISTED_OBJECTS, TIMEOUT
from wego_ical.output.lock import shared_lock
from wego_ical.plan.state_file import read_state
from wego_ical.publish.hostnames import server_url_problem, without_userinfo
from wego_ical.publish.http_limits import AnswerRefused, Deadline, bound_s3_client
from wego_ical.publish.settings import S3Settings

# boto3's client is built at run time and has no static type here.
S3Client = Any

OWNER_MARKER = ".wego-ical-owner.json"
# The object metadata that marks an object as this series' (x-amz-meta-…).
OWNER_KEY = "wego-ical-series"
DIGEST_KEY = "wego-ical-sha256"
# Changes when the headers given to objects change: objects are then sent again.
HEADER_RULES = hashlib.sha256(
    json.dumps([content_type("x.ics"), content_type("x.html"), cache_control("x")]).encode()
).hexdigest()[:16]

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


@dataclass(frozen=True)
class Target:
    """Where to publish: a bucket and a prefix (empty, or ending in ``/``)."""

    bucket: str
    prefix: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse_target(url: str) -> Target:
    """``s3://BUCKET/PREFIX`` checked: a valid bucket name, a prefix without empty,
    ``.`` or ``..`` segments. Raises :class:`PublishError`."""
    match = re.fullmatch(r"s3://([^/]+)/?(.*)", url)
    if match is None:
        raise PublishError(f"--s3 {url!r}: give an address such as s3://my-bucket/calendars/")
    bucket, prefix = match.groups()
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise PublishError(
            f"--s3 {url!r}: {bucket!r} is not a bucket name (3 to 63 lower-case letters, "
            "digits, dots and hyphens)"
        )
    segments = prefix.rstrip("/").split("/") if prefix.strip("/") else []
    if any(s in ("", ".", "..") or any(ord(c) < 32 for c in s) for s in segments):
        raise PublishError(f"--s3 {url!r}: the prefix {prefix!r} has an empty, '.' or '..' part")
    return Target(bucket, "/".join(segments) + "/" if segments else "")


@dataclass(frozen=True)
class LocalFile:
    """A file of the output folder as it was read: its digests."""

    path: str  # relative, with /
    size: int
    md5: str
    sha256: str


@dataclass(frozen=True)
class Action:
    """One request of the plan."""

    kind: str  # upload, delete, keep (a foreign object, left alone)
    path: str
    reason: str = ""


@dataclass
class Plan:
    """What a publish does, decided before anything is sent."""

    target: Target
    series: str
    files: dict[str, LocalFile]
    uploads: list[Action] = field(default_factory=list)
    deletes: list[Action] = field(default_factory=list)
    foreign: list[Action] = field(default_factory=list)
    unchanged: int = 0
    claim: bool = False  # the marker must be written first


@dataclass
class S3Result:
    """What ``publish --s3`` did (or, in a dry run, would do)."""

    plan: Plan
    dry_run: bool
    done: list[Action] = field(default_factory=list)
    cors: str | None = None


def publish_to_s3(
    out_dir: Path,
    url: str,
    settings: S3Settings = S3Settings(),  # noqa: B008 (frozen: never changed)
    *,
    client: S3Client | None = None,
    on_done: Callable[[Action], None] = lambda action: None,
) -> S3Result:
    """Bring ``s3://BUCKET/PREFIX`` in line with the output folder (see the module's
    description); in a dry run, only say what would be sent. ``client`` may be given
    (else one is made from boto3's usual credentials)."""
    endpoint_url, cors = settings.endpoint_url, settings.cors
    dry_run, force = settings.dry_run, settings.force
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    target = parse_target(url)
    if endpoint_url is not None:
        endpoint_url = check_endpoint(endpoint_url)
    if cors is not None:
        cors = _check_origin(cors)
    series, files = read_folder(out_dir)
    try:
        client = client or make_client(endpoint_url)
        plan = make_plan(client, target, series, files, force=force)
        result = S3Result(plan, dry_run, cors=cors)
        if dry_run:
            return result
        result.done = execute(client, out_dir, plan, on_done=on_done)
        if cors is not None:
            set_cors(client, target, cors)
        return result
    except NoCredentialsError:
        raise PublishError(
            "no credentials for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "AWS_PROFILE (boto3's usual ways); never on the command line"
        ) from None
    except EndpointConnectionError as exc:
        raise PublishError(
            f"{target}: cannot reach the server ({exc}); check --endpoint-url; publishing "
            "again continues where this stopped"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise PublishError(
            f"{target}: the server answered {error.get('Code', '?')} "
            f"({error.get('Message', '').strip() or 'no message'}) to "
            f"{exc.operation_name}; check the bucket, the prefix and the credentials' "
            "rights. Publishing again continues where this stopped"
        ) from None
    except AnswerRefused as exc:
        raise PublishError(
            f"{target}: {exc.reason}; publishing again continues where this stopped"
        ) from None
    except BotoCoreError as exc:
        # The endpoint was checked to hold no user name or password: its text is safe.
        raise PublishError(
            f"{target}: {exc}. Publishing again continues where this stopped"
        ) from None


def check_endpoint(url: str) -> str:
    """``--endpoint-url`` if it is a usable http(s) address without credentials (S3
    credentials come from boto3's chain); else a PublishError that never shows a
    password the address holds."""
    problem = server_url_problem(
        url, of="a server", credentials="as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )
    if problem:
        raise PublishError(f"--endpoint-url {without_userinfo(url)[:200]!r}: {problem}")
    return url


def _check_origin(origin: str) -> str:
    from wego_ical.publish.nginx import check_cors

    try:
        allowed = check_cors(origin)
    except Exception as exc:  # HostingError: the same rule, worded for publish
        raise PublishError(str(exc)) from None
    if allowed is None:
        raise PublishError("--cors none: leave --cors out to keep the bucket's CORS as it is")
    return allowed


def read_folder(out_dir: Path) -> tuple[str, dict[str, LocalFile]]:
    """The series id and every file the last build generated, with its digests (read
    under the folder's shared lock, so never half of one build and half of another)."""
    with shared_lock(out_dir):
        state = read_state(out_dir)
        if state is None:
            raise PublishError(
                f"{out_dir}: has no {STATE_FILE}; run 'wego-ical build --out {out_dir}' first"
            )
        paths = [*state.generated, STATE_FILE]
        for code in state.translations or []:
            translated = read_state(out_dir / code)
            if translated is not None:
                paths += [f"{code}/{p}" for p in (*translated.generated, STATE_FILE)]
        files = {path: _digest(out_dir, path) for path in sorted(set(paths))}
    return f"{state.series}@{state.uid_domain}", files


def _digest(out_dir: Path, path: str) -> LocalFile:
    body = _read(out_dir, path)
    md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return LocalFile(path, len(body), md5, hashlib.sha256(body).hexdigest())


def _read(out_dir: Path, path: str) -> bytes:
    """A generated file's bytes, read as a build reads them (previous.read_generated_file):
    only a plain path inside the folder, never through a link. feeds.json lists the
    files, and a tampered one must not send anything else to the bucket."""
    from wego_ical.output.previous import read_generated_file

    if any(part.startswith(".") for part in PurePosixPath(path).parts):
        raise PublishError(f"{out_dir}: lists a hidden file {path!r}; rebuild the folder")
    body = read_generated_file(out_dir, path)
    if body is None:
        raise PublishError(
            f"{out_dir}: lists {path!r}, which is missing, not a plain path inside the "
            "folder, or reached through a link; rebuild the folder"
        )
    return body


def make_plan(
    client: S3Client, target: Target, series: str, files: dict[str, LocalFile], *, force: bool
) -> Plan:
    """Compare the folder with the prefix. Raises :class:`PublishError` when the
    prefix belongs to another series, or (without ``force``) when an object that is
    not this series' is in the way."""
    marker = _read_marker(client, target)
    if marker is not None and marker.get("series") != series:
        raise PublishError(
            f"{target}: holds the series {marker.get('series')!r} (its {OWNER_MARKER}); this "
            f"folder is {series!r}. Publish it under another prefix; nothing was sent"
        )
    plan = Plan(target, series, files, claim=marker is None)
    recorded_rules = marker.get("headers") if marker else None
    remote = dict(_listing(client, target))
    for path in sorted(files, key=upload_rank):
        local, etag = files[path], remote.get(path)
        if etag is None:
            plan.uploads.append(Action("upload", path, "new"))
            continue
        if etag == local.md5 and recorded_rules == HEADER_RULES:
            plan.unchanged += 1
            continue
        head = _head(client, target, path)
        owner = head.get("Metadata", {}).get(OWNER_KEY)
        if owner != series and not force:
            plan.foreign.append(Action("keep", path, f"not uploaded by {series}"))
            continue
        same = head.get("Metadata", {}).get(DIGEST_KEY) == local.sha256 or etag == local.md5
        if same and recorded_rules == HEADER_RULES:
            plan.unchanged += 1
        else:
            plan.uploads.append(Action("upload", path, "changed" if not same else "headers"))
    for path in sorted(set(remote) - set(files), key=upload_rank, reverse=True):
        if path == OWNER_MARKER:
            continue
        owner = _head(client, target, path).get("Metadata", {}).get(OWNER_KEY)
        if owner == series:
            plan.deletes.append(Action("delete", path, "no longer published"))
        else:
            plan.foreign.append(Action("keep", path, "not uploaded by wego-ical for this series"))
    blocking = [a for a in plan.foreign if a.path in files]
    if blocking:
        first = blocking[0].path
        raise PublishError(
            f"{target}{first}: exists and was not uploaded by this series "
            f"({len(blocking)} such object(s) in the way); move them, or pass --force to "
            "replace them; nothing was sent"
        )
    return plan


def execute(
    client: S3Client,
    out_dir: Path,
    plan: Plan,
    *,
    on_done: Callable[[Action], None] = lambda action: None,
) -> list[Action]:
    """Carry out ``plan``: claim the prefix, upload, delete, record the header rules.
    Each file is checked against the digest read before: a build that replaced the
    folder meanwhile stops the publish (run it again)."""
    done: list[Action] = []
    target = plan.target
    if plan.claim:
        _write_marker(client, plan, headers=None)
    for action in plan.uploads:
        local = plan.files[action.path]
        body = _read(out_dir, action.path)
        if hashlib.sha256(body).hexdigest() != local.sha256:
            raise PublishError(
                f"{out_dir / action.path}: changed while publishing (a build ran); run "
                "publish again"
            )
        client.put_object(
            Bucket=target.bucket,
            Key=target.prefix + action.path,
            Body=body,
            ContentType=content_type(action.path),
            CacheControl=cache_control(action.path),
            ContentMD5=_base64_md5(local.md5),
            Metadata={OWNER_KEY: plan.series, DIGEST_KEY: local.sha256},
        )
        done.append(action)
        on_done(action)
    for action in plan.deletes:
        client.delete_object(Bucket=target.bucket, Key=target.prefix + action.path)
        done.append(action)
        on_done(action)
    _write_marker(client, plan, headers=HEADER_RULES)
    return done


def set_cors(client: S3Client, target: Target, origin: str) -> None:
    """Let pages of ``origin`` (``*``: any site) read the bucket's objects (a bucket
    setting: it applies to every prefix of the bucket)."""
    from botocore.exceptions import ClientError

    rule = {"AllowedOrigins": [origin], "AllowedMethods": ["GET", "HEAD"], "MaxAgeSeconds": 3600}
    try:
        client.put_bucket_cors(Bucket=target.bucket, CORSConfiguration={"CORSRules": [rule]})
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise PublishError(
            f"{target}: the server refused to set CORS on the bucket ({code}); set it in "
            "the storage's console or at the CDN (docs/publishing.md); the files were "
            "published"
        ) from None


def _listing(client: S3Client, target: Target) -> Iterator[tuple[str, str]]:
    """(path under the prefix, ETag without quotes) of every object under it."""
    paginator = client.get_paginator("list_objects_v2")
    listed = 0
    for page in paginator.paginate(Bucket=target.bucket, Prefix=target.prefix):
        for item in page.get("Contents", []):
            listed += 1
            if listed > MAX_LISTED_OBJECTS:
                raise PublishError(
                    f"{target}: the server lists more than {MAX_LISTED_OBJECTS:,} objects "
                    "under the prefix; publish to a prefix of its own (nothing was sent)"
                )
            yield item["Key"][len(target.prefix) :], item.get("ETag", "").strip('"')


def _head(client: S3Client, target: Target, path: str) -> dict[str, Any]:
    response: dict[str, Any] = dict(
        client.head_object(Bucket=target.bucket, Key=target.prefix + path)
    )
    # Metadata keys come back in the case the server chose.
    response["Metadata"] = {k.lower(): v for k, v in response.get("Metadata", {}).items()}
    return response


def _read_marker(client: S3Client, target: Target) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        body = client.get_object(Bucket=target.bucket, Key=target.prefix + OWNER_MARKER)["Body"]
        data = json.loads(body.read(65536))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404", "NotFound"):
            return None
        if code in ("NoSuchBucket",):
            raise PublishError(f"{target}: the bucket does not exist; create it first") from None
        raise
    except (ValueError, RecursionError):
        raise PublishError(
            f"{target}{OWNER_MARKER}: is not wego-ical's owner record; is this prefix "
            "another tool's? Nothing was sent"
        ) from None
    if not isinstance(data, dict):
        raise PublishError(f"{target}{OWNER_MARKER}: is damaged; nothing was sent")
    return data


def _write_marker(client: S3Client, plan: Plan, *, headers: str | None) -> None:
    record = {"series": plan.series, "headers": headers, "tool": "wego-ical"}
    client.put_object(
        Bucket=plan.target.bucket,
        Key=plan.target.prefix + OWNER_MARKER,
        Body=json.dumps(record).encode(),
        ContentType="application/json; charset=utf-8",
        CacheControl="no-store",
        Metadata={OWNER_KEY: plan.series},
    )


def _base64_md5(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def make_client(endpoint_url: str | None) -> S3Client:
    """A boto3 S3 client: credentials and region from boto3's usual chain; path-style
    addresses for another endpoint (MinIO, R2, rclone), as those expect."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise PublishError("publish --s3 needs boto3: pip install 'wego-ical[s3]'") from None
    config = Config(
        signature_version="s3v4",
        connect_timeout=10,
        read_timeout=TIMEOUT,
        retries={"max_attempts": 5, "mode": "standard"},
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    session = boto3.session.Session()
    region = session.region_name or "us-east-1"
    client: S3Client = session.client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=config
    )
    bound_s3_client(client, Deadline())
    return client
