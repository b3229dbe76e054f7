"""Real document files for the knowledge tests: PDF (written byte by byte), Word, HTML.

The PDF writer makes a minimal but valid PDF 1.4 (catalog, pages, Helvetica, one content
stream per page, a correct cross-reference table) so no PDF-writing library is needed;
pypdf, the reader under test, has to parse it like any other file.
"""

from __future__ import annotations

from pathlib import Path


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF whose page ``i`` shows the lines ``pages[i]`` (Latin-1 text)."""
    n = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (
            "<< /Type /Pages /Kids ["
            + " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
            + f"] /Count {n} >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        body = (
            "BT /F1 12 Tf 14 TL 72 740 Td "
            + " ".join(f"{_pdf_string(line)} Tj T*" for line in lines)
            + " ET"
        )
        stream = body.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R"
            " /Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def write_pdf(
    path: Path,
    pages: list[list[str]],
    password: str = "",
    *,
    owner_password: str = "",
    algorithm: str = "RC4-128",
) -> Path:
    """Write a PDF of ``pages``; with a ``password`` (to open) or an ``owner_password``
    (restrictions only: anyone may open it) it is encrypted by pypdf with ``algorithm``."""
    path.write_bytes(pdf_bytes(pages))
    if password or owner_password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(
            user_password=password, owner_password=owner_password or None, algorithm=algorithm
        )
        with path.open("wb") as f:
            writer.write(f)
    return path


def write_docx(path: Path, blocks: list[tuple[str, str]]) -> Path:
    """Write a Word file: ``("h1", text)``… ``("h3", text)``, ``("p", text)``, or
    ``("table", "a|b;c|d")`` (rows split by ``;``, cells by ``|``)."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        elif kind == "table":
            rows = [row.split("|") for row in text.split(";")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path
