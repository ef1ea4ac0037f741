"""QR codes for a campaign's public link (segno)."""
from __future__ import annotations

import io
from pathlib import Path

import segno


def public_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def qr_code(url: str) -> segno.QRCode:
    # Level M survives a little dirt and glare on a poster at a gate.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True)
    return buffer.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def write_qr_files(url: str, directory: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``stem.svg`` and ``stem.png``; returns both paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    svg_path, png_path = directory / f"{stem}.svg", directory / f"{stem}.png"
    svg_path.write_bytes(qr_svg(url))
    png_path.write_bytes(qr_png(url))
    return svg_path, png_path
