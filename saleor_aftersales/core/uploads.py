"""Validation of uploaded files (photos, proofs of purchase, attachments): type by content, size by bytes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .errors import DomainError

_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in _SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_upload(
    upload, *, field: str, allowed: list[str] | None = None, max_bytes: int | None = None
) -> CheckedUpload:
    """Raise a typed error unless the file is an allowed type (judged by its bytes) within the size limit."""
    allowed = allowed or settings.UPLOAD_ALLOWED_CONTENT_TYPES
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise DomainError("FILE_TOO_LARGE", f"The file is larger than {max_bytes // 1024} KiB.", field)
    if size == 0:
        raise DomainError("INVALID", "The file is empty.", field)
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff_content_type(head)
    if sniffed is None or sniffed not in allowed:
        raise DomainError("INVALID_FILE_TYPE", f"Allowed file types: {', '.join(allowed)}.", field)
    return CheckedUpload(name=getattr(upload, "name", "upload"), content_type=sniffed, size=size)
