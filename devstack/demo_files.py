"""The demo files `make run` shares: a one-page PDF report and a PNG chart, made here byte for byte
(no image or PDF library), the same on every run."""

from __future__ import annotations

import math
import struct
import zlib


def report_pdf() -> bytes:
    """A valid one-page PDF: a title, a few lines of findings."""
    lines = [
        ("F1", 20, "Scan passport: checkout-api"),
        ("F2", 12, "Scan of 2026-11-20, 09:58 UTC. 214 checks, 0 critical, 2 low findings."),
        ("F2", 12, "Low: TLS certificate expires in 41 days (api.example.com)."),
        ("F2", 12, "Low: HSTS max-age below one year on status.example.com."),
        ("F2", 12, "Everything else passed. The full evidence is in the bundle."),
    ]
    text = ["BT"]
    y = 760
    for font, size, line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"/{font} {size} Tf 1 0 0 1 60 {y} Tm ({escaped}) Tj")
        y -= 34 if size > 12 else 20
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def chart_png(width: int = 480, height: int = 200) -> bytes:
    """A PNG of a response-time line over a light grid."""
    values = [100 - 40 * math.sin(i / 9) - 25 * math.sin(i / 3.3) for i in range(width)]
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            line = abs(values[x] - y) < 2.2
            grid = y % 40 == 0 or x % 60 == 0
            if line:
                row += bytes((59, 91, 219))
            elif grid:
                row += bytes((226, 229, 236))
            else:
                row += bytes((255, 255, 255))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def evidence_csv() -> bytes:
    lines = ["check,target,result"] + [
        f"{name},{target},{'pass' if i not in (3, 7) else 'low'}"
        for i, (name, target) in enumerate(
            [("tls", "api.example.com"), ("hsts", "api.example.com"), ("headers", "api.example.com"),
             ("tls", "status.example.com"), ("hsts", "www.example.com"), ("dns", "example.com"),
             ("ports", "api.example.com"), ("hsts", "status.example.com")]
        )
    ]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()
