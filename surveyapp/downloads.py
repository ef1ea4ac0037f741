"""Sending generated files (PDF, XLSX, QR images) to staff browsers."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response


def file_response(content: bytes, media_type: str, name: str, inline: bool = False) -> Response:
    """``name`` may be Chinese (RFC 5987 filename*); never cached: reports hold survey data."""
    disposition = "inline" if inline else "attachment"
    return Response(content, mimetype=media_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store"})
