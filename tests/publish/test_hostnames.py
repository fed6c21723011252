"""hostnames: one rule for what a host name is."""

from __future__ import annotations

import pytest

from wego_ical.publish.hostnames import host_problem, is_host_name, is_ip


@pytest.mark.parametrize(
    "name",
    ["events.example.org", "localhost", "example.org.", "_acme.example.org", "a" * 63 + ".org"],
)
def test_host_names(name: str) -> None:
    assert is_host_name(name)
    assert host_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-bad.example.org",
        "bad-.example.org",
        "two..dots",
        "a" * 64 + ".org",
        ".".join(["a" * 63] * 4) + ".org",  # 256 characters
        "x; location /leak { alias /etc/; }",
        "events.example.org/path",
        "münchen.example",  # an international name is only a host name once encoded
    ],
)
def test_not_host_names(name: str) -> None:
    assert not is_host_name(name)


def test_the_253_characters_of_a_name_do_not_count_the_root_dot() -> None:
    name = ".".join(["a" * 63] * 3) + "." + "a" * 61  # 253 characters
    assert is_host_name(name) and is_host_name(name + ".")
    assert not is_host_name(name + "a")


def test_ip_addresses_by_version() -> None:
    assert is_ip("127.0.0.1") and is_ip("::1")
    assert is_ip("127.0.0.1", version=4) and not is_ip("127.0.0.1", version=6)
    assert is_ip("::1", version=6) and not is_ip("::1", version=4)
    assert not is_ip("localhost") and not is_ip("[::1]")


def test_host_problems_name_what_is_wrong() -> None:
    assert host_problem("127.0.0.1") is None and host_problem("::1") is None
    assert host_problem("münchen.example") is None  # connected to as xn--mnchen-3ya.example
    assert host_problem("::zz") == "'::zz' is not a valid IPv6 address"
    assert host_problem("a" * 64 + ".org") == (
        f"{'a' * 64 + '.org'!r} is not a valid host name (each part at most 63 characters)"
    )
    assert host_problem("bad_.exa mple") == (
        "'bad_.exa mple' is not a valid host name (letters, digits and hyphens, "
        "parts of at most 63 characters separated by dots)"
    )
