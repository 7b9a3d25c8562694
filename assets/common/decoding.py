"""Decoding text files as people save them: UTF-8 with or without BOM, cp1252 (Excel on Windows),
UTF-16/32 with a byte-order mark (Excel's "Unicode Text"), and UTF-16 without one."""

from __future__ import annotations

import io
import re


class UnreadableFile(Exception):
    """The file as a whole cannot be read (the message says why); the caller reports it, never skips it."""


# the five bytes cp1252 leaves undefined, kept as the C1 controls latin-1 maps them to
_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_UNDEFINED_CHARS = {chr(b) for b in _UNDEFINED}
_WORD = re.compile(r"[^\W\d_]{3,}")
# a word of three letters or more without one ASCII letter: Western European text read as cp1252 has
# none ('Größe', 'été', 'Þórður' all hold one), KOI8-R or Shift-JIS read as cp1252 is full of them
_FOREIGN_WORDS = 2


def cp1252_doubt(lines: list[str]) -> str | None:
    """A note when text read as cp1252 looks like another encoding: bytes cp1252 leaves undefined, or
    words without a single ASCII letter."""
    text = "".join(lines)
    undefined = sum(1 for c in text if c in _UNDEFINED_CHARS)
    foreign = [w for w in _WORD.findall(text) if not any(c.isascii() for c in w)]
    if not undefined and len(foreign) < _FOREIGN_WORDS:
        return None
    why = (
        f"{undefined:,} byte{'s' if undefined != 1 else ''} cp1252 does not define"
        if undefined
        else f"{len(foreign):,} words without an ASCII letter (such as {foreign[0]!r})"
    )
    return (
        f"not UTF-8, read as cp1252, but {why}: it may be in another encoding (KOI8-R, Shift-JIS, GBK, "
        "...) and its text garbled; save it as UTF-8"
    )


def _decode_line(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            # only the undefined bytes as latin-1 maps them (nothing is lost): decoding the whole
            # line as latin-1 turned its smart quotes, dashes and euro signs into control characters
            return "".join(chr(b) if b in _UNDEFINED else bytes([b]).decode("cp1252") for b in raw), "cp1252"


# UTF-32 first: its little-endian BOM starts with UTF-16's
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"))
_WIDE_BOMS += ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 named by the file's byte-order mark (Excel's "Unicode Text" export), else None."""
    return next((enc for bom, enc in _WIDE_BOMS if data.startswith(bom)), None)


def bomless_utf16(data: bytes) -> str | None:
    """UTF-16 written without a byte-order mark: in mostly-ASCII text every other byte is NUL, on
    the odd bytes (little-endian) or the even ones (big-endian). UTF-8 and cp1252 text has none."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.4 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.4 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _lines(text: str) -> list[str]:
    # only CR, LF and CRLF end a line: str.splitlines also splits on \x0b, \x0c, \x1c-\x1e, \x85,
    # U+2028 and U+2029, which csv writers leave unquoted inside a field (Word's soft line break)
    return io.StringIO(text, newline="").readlines()


def decode_lines(data: bytes) -> tuple[list[str], str]:
    """Decode line by line (UTF-8, else cp1252), so one file of mixed encodings still reads."""
    lines, encoding, _ = _decode(data)
    return lines, encoding


def decode_lines_checked(data: bytes) -> tuple[list[str], str, str | None]:
    """decode_lines, and a note when the lines read as cp1252 look like another encoding."""
    lines, encoding, windows = _decode(data)
    return lines, encoding, cp1252_doubt(windows) if windows else None


def _decode(data: bytes) -> tuple[list[str], str, list[str]]:
    """The lines, the encoding, and the lines that were read as cp1252."""
    wide = wide_encoding(data)
    if wide:
        try:
            return _lines(data.decode(wide)), wide, []
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{wide} byte-order mark, but not valid {wide}: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # NUL on every other byte is valid UTF-8 too: decoded as such, nothing would read
    bare = bomless_utf16(data)
    if bare:
        try:
            return _lines(data.decode(bare)), f"{bare} (no byte-order mark)", []
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"looks like {bare} without a byte-order mark (every other byte is NUL), but is not "
                f"valid {bare}: {exc}; save it as UTF-8"
            ) from exc
    if text is not None:
        return _lines(text), "utf-8", []
    lines, seen, windows = [], set(), []
    for raw in data.splitlines(keepends=True):
        text, enc = _decode_line(raw)
        if not raw.isascii():
            seen.add(enc)
            if enc == "cp1252":
                windows.append(text)
        lines.append(text)
    return lines, ("mixed utf-8/cp1252" if len(seen) > 1 else "cp1252"), windows
