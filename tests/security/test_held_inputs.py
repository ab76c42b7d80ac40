"""Attacks through malformed, oversized and path-like parameters; where the server listens."""

from __future__ import annotations

import pytest
import typer.main
from fastapi.testclient import TestClient

from search_api.cli import app as cli_app
from search_api.service import MAX_LIMIT, MAX_QUERY_CHARS
from tests.security.conftest import AttackOrg, bearer

NOT_FOUND = {"detail": "Not Found"}


def _detail(kind: str, name: str, message: str, given: str, **ctx: object) -> dict:
    error: dict = {"type": kind, "loc": ["query", name], "msg": message, "input": given}
    if ctx:
        error["ctx"] = ctx
    return {"detail": [error]}


@pytest.mark.parametrize(
    ("raw", "query"),
    [
        ("%ff%fe", "\ufffd\ufffd"),
        ("%c3%28", "\ufffd("),
        ("%c0%af", "\ufffd\ufffd"),
        ("%ed%a0%80", "\ufffd\ufffd\ufffd"),
        ("%zz", "%zz"),
        ("%", "%"),
        ("helm%", "helm%"),
    ],
)
def test_attack_07_bad_utf8_or_percent_encoding_in_q_is_searched_never_500(
    attack_client: TestClient, attack_org: AttackOrg, raw: str, query: str
) -> None:
    response = attack_client.get(f"/v1/search?q={raw}", headers=bearer(attack_org.keys["outsider"]))

    assert response.status_code == 200
    assert response.json()["query"] == query


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "limit=%ff",
            _detail(
                "int_parsing",
                "limit",
                "Input should be a valid integer, unable to parse string as an integer",
                "\ufffd",
            ),
        ),
        (
            "limit=1%00",
            _detail(
                "int_parsing",
                "limit",
                "Input should be a valid integer, unable to parse string as an integer",
                "1\x00",
            ),
        ),
        (
            "kind=%ff",
            _detail(
                "enum",
                "kind",
                "Input should be 'wiki', 'qa' or 'bio'",
                "\ufffd",
                expected="'wiki', 'qa' or 'bio'",
            ),
        ),
        (
            "active_only=%ff",
            _detail(
                "bool_parsing",
                "active_only",
                "Input should be a valid boolean, unable to interpret input",
                "\ufffd",
            ),
        ),
    ],
)
def test_attack_07_bad_utf8_in_a_typed_parameter_is_422(
    attack_client: TestClient, attack_org: AttackOrg, raw: str, expected: dict
) -> None:
    response = attack_client.get(
        f"/v1/search?q=helm&{raw}", headers=bearer(attack_org.keys["outsider"])
    )

    assert (response.status_code, response.json()) == (422, expected)


def test_attack_07_bad_utf8_in_a_person_id_is_404(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = attack_client.get("/v1/people/%ff%c3", headers=bearer(attack_org.keys["admin"]))

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "no person with id '\ufffd\ufffd'"},
    )


TOO_LONG_Q = "x" * (MAX_QUERY_CHARS + 1)
TOO_LONG_TEAM = "t" * 5000


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"q": TOO_LONG_Q},
            _detail(
                "string_too_long",
                "q",
                f"String should have at most {MAX_QUERY_CHARS} characters",
                TOO_LONG_Q,
                max_length=MAX_QUERY_CHARS,
            ),
        ),
        (
            {"q": ""},
            _detail(
                "string_too_short", "q", "String should have at least 1 character", "", min_length=1
            ),
        ),
        (
            {"q": "helm", "limit": "0"},
            _detail(
                "greater_than_equal",
                "limit",
                "Input should be greater than or equal to 1",
                "0",
                ge=1,
            ),
        ),
        (
            {"q": "helm", "limit": str(10**12)},
            _detail(
                "less_than_equal",
                "limit",
                f"Input should be less than or equal to {MAX_LIMIT}",
                str(10**12),
                le=MAX_LIMIT,
            ),
        ),
        (
            {"q": "helm", "offset": "-1"},
            _detail(
                "greater_than_equal",
                "offset",
                "Input should be greater than or equal to 0",
                "-1",
                ge=0,
            ),
        ),
        (
            {"q": "helm", "offset": "9" * 40},
            _detail(
                "less_than",
                "offset",
                f"Input should be less than {MAX_LIMIT}",
                "9" * 40,
                lt=MAX_LIMIT,
            ),
        ),
        (
            {"q": "helm", "team": TOO_LONG_TEAM},
            _detail(
                "string_too_long",
                "team",
                "String should have at most 200 characters",
                TOO_LONG_TEAM,
                max_length=200,
            ),
        ),
        (
            {"q": "helm", "limit": "60", "offset": "60"},
            {"detail": f"offset + limit must be at most {MAX_LIMIT}, got 120"},
        ),
    ],
    ids=["q", "empty q", "limit 0", "huge limit", "negative offset", "huge offset", "team", "page"],
)
def test_attack_08_oversized_parameters_are_422_with_a_clear_message(
    attack_client: TestClient, attack_org: AttackOrg, params: dict, expected: dict
) -> None:
    response = attack_client.get(
        "/v1/search", params=params, headers=bearer(attack_org.keys["outsider"])
    )

    assert (response.status_code, response.json()) == (422, expected)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/people/..%2f..%2fetc%2fpasswd", NOT_FOUND),
        ("/v1/people/%2e%2e%2f%2e%2e%2fetc%2fpasswd", NOT_FOUND),
        ("/v1/people/%2e%2e", {"detail": "no person with id '..'"}),
        (
            "/v1/people/..%5c..%5cetc%5cpasswd",
            {"detail": "no person with id '..\\\\..\\\\etc\\\\passwd'"},
        ),
        ("/..%2f..%2fetc%2fpasswd", NOT_FOUND),
        ("/%2e%2e/%2e%2e/etc/passwd", NOT_FOUND),
        ("/widget.js%2f..%2f..%2fetc%2fpasswd", NOT_FOUND),
        ("/static/..%2f..%2f..%2fetc%2fpasswd", NOT_FOUND),
        ("/static/..%2fapp.py", NOT_FOUND),
        ("/..%2fapp.py", NOT_FOUND),
    ],
)
def test_attack_09_path_traversal_is_404_without_file_content(
    attack_client: TestClient, attack_org: AttackOrg, path: str, expected: dict
) -> None:
    response = attack_client.get(path, headers=bearer(attack_org.keys["admin"]))

    assert (response.status_code, response.json()) == (404, expected)
    assert "root:" not in response.text


def test_attack_09_the_static_routes_serve_only_their_own_files(
    attack_client: TestClient,
) -> None:
    page = attack_client.get("/")
    widget = attack_client.get("/widget.js")

    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert page.text.startswith("<!doctype html>")
    assert (widget.status_code, widget.headers["content-type"]) == (
        200,
        "text/javascript; charset=utf-8",
    )


def test_attack_26_the_server_listens_on_loopback_unless_told_otherwise() -> None:
    serve = typer.main.get_command(cli_app).commands["serve"]

    [host] = [p for p in serve.params if p.name == "host"]

    assert (host.default, host.required) == ("127.0.0.1", False)
