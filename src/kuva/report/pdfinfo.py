"""Just enough PDF reading to check a rendered report without a PDF library: page count and
tagged figures, found in the file's plain objects and in its Flate-compressed object streams."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_objects_text(pdf: bytes) -> bytes:
    """The PDF's plain bytes followed by every stream that inflates (object streams included)."""
    parts = [pdf]
    for m in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def page_count(pdf: bytes) -> int:
    """Number of ``/Type /Page`` objects (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf_objects_text(pdf)))


def figure_count(pdf: bytes) -> int:
    """Number of ``/Figure`` structure elements in a tagged PDF (one per placed image)."""
    return len(re.findall(rb"/S\s*/Figure\b", pdf_objects_text(pdf)))


def is_pdf(pdf: bytes) -> bool:
    return pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
