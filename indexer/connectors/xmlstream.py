"""Streaming XML for the export connectors: elements as they end, entities never resolved.

The parser is fed the file in pieces and its events are read after each piece, so
when a byte is bad (not UTF-8, malformed markup) every element that ended before it
is yielded before the error is raised. (lxml's ``iterparse``
gives nothing when libxml2 refuses the first buffer it reads.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

CHUNK_BYTES = 64 * 1024


def end_elements(handle: BinaryIO, tags: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Each element named in ``tags`` (Clark notation for namespaces) once it ends.

    Entities are not resolved and nothing is fetched from the network;
    ``huge_tree`` lets one long text through so that the connector's own size
    limit decides. Raises ``etree.XMLSyntaxError`` where the XML goes wrong.
    """
    parser = etree.XMLPullParser(
        events=("end",), tag=tags, resolve_entities=False, huge_tree=True, no_network=True
    )
    while chunk := handle.read(CHUNK_BYTES):
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            yield from (element for _, element in parser.read_events())
            raise
        yield from (element for _, element in parser.read_events())
    # at the end libxml2 closes what is still open, as if it had ended: when that is an
    # error (a truncated file), those elements are not real and are not yielded
    parser.close()
    yield from (element for _, element in parser.read_events())
