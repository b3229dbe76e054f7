"""Plain text out of documents, with the structure a citation needs.

:func:`extract` turns a file's bytes into a :class:`Document`: its text and the
:class:`Section` each part of it belongs to (a page of a PDF, a heading path of
Markdown, HTML or Word). The indexer reads each file once, hashes those bytes and
extracts from the same bytes, so what is indexed is what was hashed.

A file that cannot be read (encrypted, damaged, binary) raises
:class:`~llmasos.errors.DocumentError`; the indexer records it as that file's status.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from llmasos.services.knowledge.html_text import html_sections
from llmasos.services.knowledge.outline import Outline, Section
from llmasos.services.knowledge.problems import UnreadableDocument

__all__ = ["MAX_BYTES", "MAX_UNPACKED", "Document", "Section", "extract", "kind_of"]

#: Files larger than this are not indexed (logs and dumps, rarely documents).
MAX_BYTES = 64 * 1024 * 1024
#: What a Word file may hold once unpacked: python-docx reads every part into memory, so a
#: small file that unpacks to gigabytes (a zip bomb) would fill it.
MAX_UNPACKED = 4 * MAX_BYTES


@dataclass(frozen=True)
class Document:
    """A file's extracted text and its sections (contiguous, in order, covering the text)."""

    text: str
    sections: tuple[Section, ...]
    kind: str


_KINDS: dict[str, tuple[str, ...]] = {
    "text": (".txt", ".text", ".log", ".rst", ".csv", ".tsv", ".org", ".tex", ".adoc"),
    "markdown": (".md", ".markdown", ".mdx"),
    "html": (".html", ".htm", ".xhtml"),
    "pdf": (".pdf",),
    "docx": (".docx",),
    "code": (
        *(".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte"),
        *(".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".cs", ".java", ".kt", ".scala"),
        *(".go", ".rs", ".rb", ".php", ".swift", ".m", ".dart", ".lua", ".pl", ".r", ".jl"),
        *(".sh", ".bash", ".zsh", ".ps1", ".bat", ".sql", ".css", ".scss", ".proto"),
        *(".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml", ".cmake", ".gradle"),
        *(".ex", ".exs", ".hs", ".ml"),
    ),
}
_BY_SUFFIX = {suffix: kind for kind, suffixes in _KINDS.items() for suffix in suffixes}
_BY_NAME = {"makefile": "code", "dockerfile": "code", "readme": "text", "license": "text"}


def kind_of(path: PurePath) -> str | None:
    """The document kind of ``path`` by its name (``"pdf"``, ``"markdown"``, …), or
    ``None`` for a file the index does not read."""
    return _BY_SUFFIX.get(path.suffix.lower()) or _BY_NAME.get(path.name.lower())


def extract(data: bytes, kind: str, name: str = "the file") -> Document:
    """The text and sections of a file of ``kind`` whose bytes are ``data``.

    Raises:
        DocumentError: the bytes cannot be read as that kind (``name`` is used in the
            message).
    """
    if len(data) > MAX_BYTES:
        raise UnreadableDocument("too_big", name=name, mib=MAX_BYTES >> 20)
    return _EXTRACTORS[kind](data, name)


# -- text -------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str = "the file") -> str:
    """``data`` as text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else GB18030;
    line ends made ``\\n``.

    Raises:
        DocumentError: the bytes look binary or fit none of these encodings.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", name)
    elif b"\x00" in data[:8192]:
        raise UnreadableDocument("binary", name=name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # GB18030 covers GBK and GB2312, the usual encodings of Chinese text not in UTF-8
            text = _decode(data, "gb18030", name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(
            "encoding",
            name=name,
            encoding=encoding.upper(),
            byte=f"0x{data[exc.start]:02x}",
            offset=exc.start,
        ) from exc


def _whole(kind: str) -> Callable[[bytes, str], Document]:
    def extract_whole(data: bytes, name: str) -> Document:
        text = decode_text(data, name)
        return Document(text, (Section(0, len(text)),), kind)

    return extract_whole


# -- Markdown -----------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _markdown(data: bytes, name: str) -> Document:
    """Markdown kept as written; each ATX or setext heading starts a section."""
    text = decode_text(data, name)
    outline = Outline()
    lines = text.splitlines(keepends=True)
    offset, fence = 0, ""
    for number, line in enumerate(lines):
        bare = line.rstrip("\n")
        opener = _FENCE.match(bare)
        if opener and (not fence or opener.group(1)[0] == fence[0]):
            fence = "" if fence else opener.group(1)
        elif not fence:
            heading = _markdown_heading(bare, lines[number + 1] if number + 1 < len(lines) else "")
            if heading:
                outline.heading(offset, *heading)
        offset += len(line)
    return Document(text, outline.sections(len(text)), "markdown")


def _markdown_heading(line: str, following: str) -> tuple[int, str] | None:
    atx = _ATX.match(line)
    if atx:
        return len(atx.group(1)), (atx.group(2) or "").strip()
    underline = _SETEXT.match(following.rstrip("\n"))
    if underline and line.strip() and not _SETEXT.match(line) and not line.startswith(" " * 4):
        return (1 if underline.group(1)[0] == "=" else 2), line.strip()
    return None


# -- HTML, PDF, Word ----------------------------------------------------------------------------


def _html(data: bytes, name: str) -> Document:
    text, outline = html_sections(decode_text(data, name))
    return Document(text, outline.sections(len(text)), "html")


def _pdf(data: bytes, name: str) -> Document:
    """One section per page; pages without text (scans) add nothing."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileNotDecryptedError("password needed")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise UnreadableDocument("password", name=name) from exc
    except DependencyError as exc:  # AES without the cryptography package
        raise UnreadableDocument("needs_cryptography", name=name) from exc
    # pypdf raises many kinds of exceptions on damaged files (its own, KeyError,
    # ValueError, struct errors…); any of them means this one file cannot be read.
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        raise UnreadableDocument("bad_pdf", name=name, detail=detail) from exc
    parts: list[str] = []
    outline, length = Outline(), 0
    for number, page_text in enumerate(pages, start=1):
        page_text = page_text.strip()
        if not page_text:
            continue
        outline.page(length, number)
        parts.append(page_text + "\n\n")
        length += len(parts[-1])
    text = "".join(parts)
    return Document(text, outline.sections(len(text)), "pdf")


_WORD_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _docx(data: bytes, name: str) -> Document:
    """Paragraphs and tables in order; Word's Title and Heading N styles start sections."""
    import docx
    from docx.table import Table

    if _unpacked_size(data) > MAX_UNPACKED:
        raise UnreadableDocument("too_big", name=name, mib=MAX_UNPACKED >> 20)
    try:
        blocks = list(docx.Document(io.BytesIO(data)).iter_inner_content())
    except Exception as exc:  # a damaged zip or XML fails in many ways (see _pdf)
        raise UnreadableDocument(
            "bad_docx", name=name, detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    outline, parts, length = Outline(), [], 0
    for block in blocks:
        if isinstance(block, Table):
            rows = (" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            block_text, level = "\n".join(rows).strip(), 0
        else:
            block_text, level = (
                block.text.strip(),
                _word_level(block.style.name if block.style else ""),
            )
        if not block_text:
            continue
        if level:
            outline.heading(length, level, block_text)
        parts.append(block_text + "\n\n")
        length += len(parts[-1])
    text = "".join(parts)
    return Document(text, outline.sections(len(text)), "docx")


def _unpacked_size(data: bytes) -> int:
    """The bytes a zip file's members declare once unpacked (0 when it is no zip: the
    reader then says what is wrong). Python's zip reader stops at the declared size, so a
    member cannot unpack to more than this."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _word_level(style: str | None) -> int:
    if not style:
        return 0
    if style.lower() == "title":
        return 1
    match = _WORD_HEADING.match(style.strip())
    return int(match.group(1)) if match else 0


_EXTRACTORS: dict[str, Callable[[bytes, str], Document]] = {
    "text": _whole("text"),
    "code": _whole("code"),
    "markdown": _markdown,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
}
