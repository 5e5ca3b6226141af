"""The member code as a QR code (SVG, drawn by segno: no external service)."""

from __future__ import annotations

import io

import segno


def qr_svg(digits: str, *, scale: int = 6) -> str:
    """An SVG of a QR code holding ``digits`` (numeric mode keeps it small and easy to scan).

    It carries a viewBox and no fixed size, so the page sizes it to the screen.
    """
    buffer = io.BytesIO()
    segno.make_qr(digits, error="m").save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, omitsize=True
    )
    return buffer.getvalue().decode()
