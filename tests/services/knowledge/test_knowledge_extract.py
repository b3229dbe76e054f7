"""Text and structure out of real files of every kind the index reads."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from helpers.documents import pdf_bytes, write_docx, write_pdf
from llmasos.errors import DocumentError
from llmasos.services.knowledge.chunks import chunk_document
from llmasos.services.knowledge.extract import MAX_UNPACKED, decode_text, extract, kind_of
from llmasos.services.knowledge.problems import UnreadableDocument


def test_kinds_by_name() -> None:
    assert kind_of(Path("a/notes.MD")) == "markdown"
    assert kind_of(Path("x.pdf")) == "pdf"
    assert kind_of(Path("x.docx")) == "docx"
    assert kind_of(Path("page.htm")) == "html"
    assert kind_of(Path("main.rs")) == "code"
    assert kind_of(Path("Makefile")) == "code"
    assert kind_of(Path("photo.jpg")) is None


def test_text_encodings() -> None:
    assert decode_text("中文 text".encode()) == "中文 text"
    assert decode_text("\ufeff带 BOM".encode()) == "带 BOM"
    assert decode_text("简体中文，国标编码。".encode("gb18030")) == "简体中文，国标编码。"
    assert decode_text("utf16 文本".encode("utf-16")) == "utf16 文本"
    assert decode_text(b"a\r\nb\rc") == "a\nb\nc"
    with pytest.raises(DocumentError, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_markdown_headings_make_sections_but_not_inside_code() -> None:
    md = (
        "Preface.\n\n# 安装\n\n用 pip 安装。\n\n## Windows ##\nRun the installer.\n\n"
        "```sh\n# a comment, not a heading\n```\n\nUsage\n=====\nRun it.\n"
    )
    doc = extract(md.encode(), "markdown")
    assert doc.text == md  # Markdown is kept as written, headings included
    assert [s.heading for s in doc.sections] == [(), ("安装",), ("安装", "Windows"), ("Usage",)]
    chunks = chunk_document(doc)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert any("# a comment" in c.text and c.heading == ("安装", "Windows") for c in chunks)


def test_html_keeps_headings_and_drops_scripts_and_styles() -> None:
    html = """<!doctype html><html><head><title>T</title><style>p{color:red}</style>
    <script>var secret = "do not index";</script></head><body>
    <h1>Guide</h1><p>First   paragraph with <b>bold</b>&amp;more.</p>
    <noscript>enable js</noscript><h2>Details</h2><ul><li>one</li><li>two</li></ul>
    <pre>keep   spaces</pre></body></html>"""
    doc = extract(html.encode(), "html")
    assert "do not index" not in doc.text and "color" not in doc.text
    assert "enable js" not in doc.text
    assert "First paragraph with bold&more." in doc.text
    assert "keep   spaces" in doc.text
    assert [s.heading for s in doc.sections] == [("Guide",), ("Guide", "Details")]
    assert doc.text[doc.sections[1].start :].startswith("Details")


def test_pdf_keeps_pages(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "a.pdf", [["Page one talks about apples."], [], ["Page three: pears."]]
    )
    doc = extract(path.read_bytes(), "pdf")
    assert [s.page for s in doc.sections] == [1, 3]  # the empty page adds nothing
    chunks = chunk_document(doc)
    assert [(c.page, c.text) for c in chunks] == [
        (1, "Page one talks about apples."),
        (3, "Page three: pears."),
    ]


def test_pdf_encrypted_and_damaged_give_errors(tmp_path: Path) -> None:
    locked = write_pdf(tmp_path / "locked.pdf", [["secret"]], password="pw")
    with pytest.raises(DocumentError, match="password"):
        extract(locked.read_bytes(), "pdf", "locked.pdf")
    with pytest.raises(DocumentError, match="not a readable PDF"):
        extract(pdf_bytes([["x"]])[:60], "pdf", "cut.pdf")


def test_pdf_with_restrictions_only_is_read(tmp_path: Path) -> None:
    # AES-256 with an owner password and no password to open: common for "no editing" PDFs
    path = write_pdf(
        tmp_path / "r.pdf", [["Readable by anyone."]], owner_password="o", algorithm="AES-256"
    )
    assert extract(path.read_bytes(), "pdf").text == "Readable by anyone.\n\n"


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "a.docx",
        [
            ("h1", "总则"),
            ("p", "本规定适用于全体员工。"),
            ("h2", "Leave"),
            ("p", "Annual leave is 15 days."),
            ("table", "Kind|Days;Sick|10"),
            ("h1", "附则"),
            ("p", "自发布之日起施行。"),
        ],
    )
    doc = extract(path.read_bytes(), "docx")
    assert [s.heading for s in doc.sections] == [("总则",), ("总则", "Leave"), ("附则",)]
    assert "Sick | 10" in doc.text
    chunks = chunk_document(doc)
    assert {c.heading for c in chunks if "15 days" in c.text} == {("总则", "Leave")}


def test_docx_damaged(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<not-really/>")
    with pytest.raises(DocumentError, match="not a readable Word"):
        extract(path.read_bytes(), "docx", "bad.docx")


def test_docx_that_unpacks_past_the_limit_is_too_big_and_not_loaded(tmp_path: Path) -> None:
    """A real Word file with one more part of zeros: under 1 MiB on disk, more than
    MAX_UNPACKED inside. python-docx would read every part into memory."""
    path = write_docx(tmp_path / "bomb.docx", [("p", "Looks harmless.")])
    block = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z,
        z.open("word/media/zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range((MAX_UNPACKED >> 20) + 1):
            member.write(block)
    data = path.read_bytes()
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableDocument) as caught:
            extract(data, "docx", "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.problem.code == "too_big"
    assert peak < 16 << 20, peak
    small = write_docx(tmp_path / "fine.docx", [("p", "Still read.")])  # the check lets it by
    assert "Still read." in extract(small.read_bytes(), "docx", "fine.docx").text


def test_chinese_is_cut_at_chinese_sentence_ends() -> None:
    sentence = "知识库把文档切成段落，每段都知道它来自哪个文件。"
    doc = extract((sentence * 30).encode(), "text")
    chunks = chunk_document(doc, budget=100)
    assert len(chunks) > 1
    assert all(c.text.endswith("。") for c in chunks)
    assert "".join(c.text for c in chunks) == doc.text


def test_a_heading_alone_joins_the_next_section() -> None:
    doc = extract(b"# Guide\n\n## Install\n\nRun pip.\n\n# Last\n", "markdown")
    chunks = chunk_document(doc)
    assert [(c.heading, c.text) for c in chunks] == [
        (("Guide", "Install"), "# Guide\n\n## Install\n\nRun pip."),
        (("Last",), "# Last"),  # the last section has nothing to join
    ]
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
