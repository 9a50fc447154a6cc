"""Writing test WARC files with warcio, closing what it opens.

warcio spools each record's payload into a temporary file to measure and digest it, and never
closes that file; closing the record's stream after writing it keeps ResourceWarnings away.
"""

from __future__ import annotations

from typing import Any

from warcio.warcwriter import WARCWriter


def write_closed(writer: WARCWriter, record: Any) -> None:
    """Write `record` and close the stream warcio spooled its payload into."""
    writer.write_record(record)
    record.raw_stream.close()
