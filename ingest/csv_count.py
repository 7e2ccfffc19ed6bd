"""An independent count of the records in a CSV file, to check what the CSV reader returned.

Why: DuckDB's CSV reader drops an unquoted line longer than its buffer (about 32 MB) with
no reject, and turns a quoted one into an "unterminated quote" reject without its key.
Counts taken from what the reader returned would then still add up while a row is gone.
This module reads the file once more as plain bytes and counts the records itself, so the
load can compare (``ingest.load``) and refuse a table whose counts disagree.

A record ends at a line feed outside double quotes (RFC 4180: a quote inside a quoted
field is doubled, so the quote parity before a line feed says whether it is inside a
field). Records are numbered as DuckDB numbers its ``line``: the header is 1 and every
line feed outside quotes starts the next, blank lines included. Blank records (nothing,
or only a carriage return) are skipped by the reader and not counted as data. The scan
works on chunks with numpy, so a file of any size costs one pass at disk speed and a
bounded amount of memory.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK_BYTES = 32 * 1024 * 1024
# Longest record handed to DuckDB's reader (its ``max_line_size``); a longer one is
# rejected here, with its line number and its key where the key can be read.
MAX_RECORD_BYTES = 2_000_000
# How much of a long record is read back to recover its key and shown in the reject.
PREFIX_BYTES = 64 * 1024

_QUOTE = ord('"')
_LF = ord("\n")
_CR = ord("\r")


@dataclass(frozen=True)
class LongRecord:
    """A record longer than ``MAX_RECORD_BYTES``: where it starts, how long it is (a
    trailing carriage return not counted) and where it ends (its line feed, or the end of
    the file)."""

    line: int
    offset: int
    length: int
    end: int


@dataclass
class CsvCount:
    """``data_records``: non-blank records after the header; ``long_records``: those too long;
    ``mixed_line_ends``: some records end in CRLF, others in LF."""

    data_records: int = 0
    long_records: list[LongRecord] = field(default_factory=list)
    mixed_line_ends: bool = False


def _record_ends(data: np.ndarray, odd_quotes: int) -> tuple[np.ndarray, int]:
    """Positions of the line feeds in ``data`` that end a record (an even number of quotes
    before them, counting the ``odd_quotes`` carried in), and the parity after ``data``.

    Only the positions of quotes and line feeds are kept, so memory follows the number of
    lines, not a running count per byte.
    """
    feeds = np.flatnonzero(data == _LF)
    quotes = np.flatnonzero(data == _QUOTE)
    before = np.searchsorted(quotes, feeds)
    return feeds[((before + odd_quotes) & 1) == 0], (odd_quotes + quotes.size) & 1


def count_records(path: Path, *, max_record_bytes: int = MAX_RECORD_BYTES) -> CsvCount:
    """Count the data records of ``path`` and list the ones longer than ``max_record_bytes``."""
    result = CsvCount()
    records = 0  # records ended so far, blank ones included (the header is record 1)
    non_blank = 0
    crlf_ends = 0
    odd_quotes = 0  # quote parity carried over from the previous chunk
    record_start = 0  # file offset where the current record starts
    last_byte = -1  # the previous chunk's last byte, to tell a CRLF split between chunks
    offset = 0
    with Path(path).open("rb") as handle:
        # A UTF-8 byte-order mark is no part of the header's first record.
        bom = handle.read(3)
        if bom != b"\xef\xbb\xbf":
            handle.seek(0)
        else:
            offset = record_start = 3
        while chunk := handle.read(CHUNK_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            ends, odd_after = _record_ends(data, odd_quotes)
            if ends.size:
                # Length of each ended record, a trailing carriage return not counted.
                starts = np.concatenate(([record_start - offset], ends[:-1] + 1))
                lengths = ends - starts
                before = np.where(ends > 0, data[np.maximum(ends - 1, 0)], last_byte)
                crlf = (before == _CR) & (lengths > 0)
                crlf_ends += int(np.count_nonzero(crlf))
                lengths = lengths - crlf
                numbers = records + 1 + np.arange(ends.size)
                non_blank += int(np.count_nonzero(lengths[numbers > 1] > 0))
                for index in np.flatnonzero(lengths > max_record_bytes):
                    if numbers[index] > 1:
                        result.long_records.append(
                            LongRecord(
                                int(numbers[index]),
                                int(starts[index]) + offset,
                                int(lengths[index]),
                                int(ends[index]) + offset,
                            )
                        )
                records += int(ends.size)
                record_start = int(ends[-1]) + 1 + offset
            odd_quotes = odd_after
            last_byte = int(data[-1])
            offset += len(chunk)
    tail = offset - record_start
    if tail > 0 and records >= 1:
        # A last record without a final line feed.
        length = tail - (1 if last_byte == _CR else 0)
        if length > 0:
            non_blank += 1
            if length > max_record_bytes:
                result.long_records.append(LongRecord(records + 1, record_start, length, offset))
    result.data_records = non_blank
    result.mixed_line_ends = 0 < crlf_ends < records
    return result


def record_prefix(path: Path, record: LongRecord, size: int = PREFIX_BYTES) -> str:
    """The first ``size`` bytes of a record as text (a cut character replaced)."""
    with Path(path).open("rb") as handle:
        handle.seek(record.offset)
        return handle.read(min(size, record.length)).decode("utf-8", errors="replace")


def field_from_prefix(prefix: str, index: int, whole: bool) -> str | None:
    """Field ``index`` of a record of which only ``prefix`` is at hand, or None where it is
    cut off (it must be followed by another field, unless the prefix is the whole record)."""
    try:
        fields = next(csv.reader(io.StringIO(prefix)), [])
    except csv.Error:
        return None
    if len(fields) > index + 1 or (whole and len(fields) > index):
        return fields[index]
    return None


def normalised_copy(path: Path, records: list[LongRecord], target: Path) -> Path:
    """A copy of ``path`` that DuckDB's strict reader takes whole: every record ends in a
    bare line feed, and each of ``records`` is left empty (its line feed kept).

    Why: a file with CRLF and LF lines mixed (rows appended by another tool) stops the
    reader with a parse error, and a line longer than its buffer takes the next line down
    with it. An empty line in a long record's place is skipped and keeps every later
    line's number. Carriage returns inside quoted fields are kept.
    """
    drops = sorted(records, key=lambda item: item.offset)
    odd_quotes = 0
    offset = 0
    held_cr = False  # a carriage return ending the previous chunk, written once we know
    with Path(path).open("rb") as source, Path(target).open("wb") as out:
        while chunk := source.read(CHUNK_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            ends, odd_after = _record_ends(data, odd_quotes)
            keep = np.ones(data.size, dtype=bool)
            inner = ends[ends > 0]
            keep[inner[data[inner - 1] == _CR] - 1] = False
            if held_cr and not (ends.size and ends[0] == 0):
                out.write(b"\r")
            held_cr = False
            for record in drops:
                low, high = max(record.offset - offset, 0), min(record.end - offset, data.size)
                if low < high:
                    keep[low:high] = False
            if keep[-1] and data[-1] == _CR and odd_after == 0:
                keep[-1] = False
                held_cr = True
            out.write(data[keep].tobytes())
            odd_quotes = odd_after
            offset += len(chunk)
        if held_cr:
            out.write(b"\r")
    return Path(target)
