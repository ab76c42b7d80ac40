"""API keys: the key store on a real SQLite file, and `whoknows keys` in a subprocess."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from search_api.keys import InvalidScope, KeyStore, UnknownKey, split_key
from tests.test_cli import whoknows


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path)
    yield store
    store.close()


def test_a_created_key_verifies_with_its_scopes_and_groups(keys: KeyStore) -> None:
    info, plaintext = keys.create("intranet", ["search"], ["eng", " hr ", "eng"])

    assert plaintext.startswith(f"wk_{info.prefix}_")
    assert (info.name, info.scopes, info.groups, info.revoked) == (
        "intranet",
        ("search",),
        ("eng", "hr"),
        None,
    )
    assert keys.verify(plaintext) == info


def test_only_the_hash_and_the_prefix_are_stored(tmp_path: Path, keys: KeyStore) -> None:
    info, plaintext = keys.create("intranet")

    rows = sqlite3.connect(tmp_path / "state.db").execute("SELECT * FROM api_keys").fetchall()

    [row] = rows
    assert plaintext not in json.dumps(row)
    assert plaintext.split("_", 2)[2] not in json.dumps(row)
    assert (row[0], row[2]) == (info.prefix, hashlib.sha256(plaintext.encode()).hexdigest())


@pytest.mark.parametrize("given", ["", "wk_", "wk__x", "xx_abc_def", "wk_unknown_secret"])
def test_malformed_or_unknown_keys_do_not_verify(keys: KeyStore, given: str) -> None:
    keys.create("intranet")

    assert keys.verify(given) is None


def test_a_key_with_a_wrong_secret_does_not_verify(keys: KeyStore) -> None:
    info, plaintext = keys.create("intranet")

    assert keys.verify(f"wk_{info.prefix}_not-the-secret") is None
    assert split_key(plaintext) == info.prefix


def test_a_revoked_key_is_listed_but_refused(keys: KeyStore) -> None:
    first, plaintext = keys.create("old")
    second, _ = keys.create("new", ["search", "admin"])

    revoked = keys.revoke(first.prefix)

    assert keys.verify(plaintext) is None
    assert revoked.revoked is not None
    assert [(k.name, k.revoked is None) for k in keys.list()] == [("old", False), ("new", True)]
    assert keys.list()[1].scopes == ("search", "admin")


def test_revoking_an_unknown_prefix_says_what_to_do(keys: KeyStore) -> None:
    with pytest.raises(UnknownKey, match="no key with prefix 'nope'; see `whoknows keys list`"):
        keys.revoke("nope")


def test_an_unknown_scope_is_refused(keys: KeyStore) -> None:
    with pytest.raises(InvalidScope, match="unknown scope 'write'; use search, admin, metrics"):
        keys.create("x", ["write"])


def test_keys_survive_reopening_the_database(tmp_path: Path, keys: KeyStore) -> None:
    _, plaintext = keys.create("intranet", ["search"], ["eng"])

    reopened = KeyStore(tmp_path)
    try:
        assert reopened.verify(plaintext).groups == ("eng",)  # type: ignore[union-attr]
    finally:
        reopened.close()


def test_cli_create_list_and_revoke(tmp_path: Path) -> None:
    data = str(tmp_path / "data")

    created = whoknows(
        tmp_path, "keys", "create", "intranet", "--scope", "search", "--group", "eng",
        "--data-dir", data,
    )  # fmt: skip
    plaintext = created.stdout.strip()
    listed = whoknows(tmp_path, "keys", "list", "--json", "--data-dir", data)
    prefix = json.loads(listed.stdout)[0]["prefix"]
    revoked = whoknows(tmp_path, "keys", "revoke", prefix, "--data-dir", data)
    after = whoknows(tmp_path, "keys", "list", "--json", "--data-dir", data)

    assert created.returncode == 0, created.stderr
    assert plaintext.startswith(f"wk_{prefix}_")
    assert "it is shown only now" in created.stderr
    [entry] = json.loads(listed.stdout)
    assert {k: entry[k] for k in ("name", "scopes", "groups", "revoked")} == {
        "name": "intranet",
        "scopes": ["search"],
        "groups": ["eng"],
        "revoked": None,
    }
    assert plaintext not in listed.stdout
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith(f"revoked key {prefix} (intranet) at ")
    assert json.loads(after.stdout)[0]["revoked"] is not None


def test_cli_errors_are_plain(tmp_path: Path) -> None:
    data = str(tmp_path / "data")

    bad_scope = whoknows(tmp_path, "keys", "create", "x", "--scope", "write", "--data-dir", data)
    unknown = whoknows(tmp_path, "keys", "revoke", "nope", "--data-dir", data)

    assert (bad_scope.returncode, bad_scope.stdout) == (1, "")
    assert bad_scope.stderr.strip() == (
        "error: unknown scope 'write'; use search, admin, metrics (repeat --scope for more)"
    )
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        "error: no key with prefix 'nope'; see `whoknows keys list`",
    )


@pytest.mark.parametrize("command", ["create", "list", "revoke"])
def test_every_keys_command_has_an_example(tmp_path: Path, command: str) -> None:
    result = whoknows(tmp_path, "keys", command, "--help")

    assert result.returncode == 0
    assert "Example: whoknows keys " + command in result.stdout
