"""Which URLs from the index may become a link in an answer: http(s) and mailto only.

A ``url:`` in a wiki page, a ``profile_url`` in a bios file or a MediaWiki base is data
anyone with write access to a source controls; ``javascript:`` or ``data:`` there must not
reach a chat message or a profile's contact links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_link(url: str) -> str:
    """``url`` when it is an absolute http(s) or mailto URL, else ``""`` (shown without a link).

    Example:
        >>> safe_link("https://wiki.example.com/helm"), safe_link("javascript:alert(1)")
        ('https://wiki.example.com/helm', '')
        >>> safe_link(" JaVaScRiPt:alert(1)"), safe_link("//evil.example.com"), safe_link("/x")
        ('', '', '')
    """
    if url != url.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 host, say
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES:
        return ""
    if parts.scheme.lower() == "mailto":
        return url if parts.path else ""
    return url if parts.netloc else ""
