"""E-copies of documents (§14 "on the portal": electronic copies of the certificates and
work/status documents), uploaded before the form is signed and referenced from it by SHA-256
(architecture §4). Only the uploader may reference an upload; a reference to anything else is
refused as DOCS_INCOMPLETE, without saying whether someone else uploaded those bytes."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args
from urllib.parse import quote

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.portal_gateway.models import StoredAttachment
from shared.errors import AppError
from shared.housing.application import Attachment, AttachmentKind

MAX_SIZE = 10 * 1024 * 1024
MEDIA_TYPES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
"""Accepted media types and the first bytes each must start with."""
KINDS: tuple[str, ...] = get_args(AttachmentKind)


def reference(row: StoredAttachment) -> Attachment:
    return Attachment(kind=row.kind, name=row.name, media_type=row.media_type, size=row.size, sha256=row.sha256)


def unsafe_in_name(name: str) -> bool:
    """True when a file name carries what could disguise it or break a header or a path: control
    characters (NUL included), invisible format characters such as the right-to-left override
    U+202E (``invoice<U+202E>fdp.exe`` shows as ``invoiceexe.pdf``), or a path separator."""
    return any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} or c in "/\\" for c in name)


def content_disposition(name: str) -> str:
    """``attachment`` with the stored name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def upload_problems(content: bytes, media_type: str, kind: str, name: str) -> list[dict[str, Any]]:
    """What is wrong with an upload (empty when it may be stored)."""
    errors = []
    if kind not in KINDS:
        errors.append({"loc": ["query", "kind"], "msg": f"one of {', '.join(KINDS)}"})
    if not 1 <= len(name) <= 200:
        errors.append({"loc": ["query", "name"], "msg": "1 to 200 characters"})
    elif unsafe_in_name(name):
        errors.append({"loc": ["query", "name"], "msg": "no control or direction characters, no / or \\"})
    if media_type not in MEDIA_TYPES:
        errors.append({"loc": ["header", "content-type"], "msg": f"one of {', '.join(MEDIA_TYPES)}"})
    elif not content.startswith(MEDIA_TYPES[media_type]):
        errors.append({"loc": ["body"], "msg": f"the bytes are not {media_type}"})
    if not content:
        errors.append({"loc": ["body"], "msg": "empty"})
    if len(content) > MAX_SIZE:
        errors.append({"loc": ["body"], "msg": f"larger than {MAX_SIZE} bytes"})
    return errors


@dataclass(frozen=True)
class Upload:
    """An upload that may be stored: its normalised media type and its bytes' SHA-256."""

    content: bytes
    media_type: str
    kind: str
    name: str
    sha256: str


def check_upload(*, content: bytes, media_type: str, kind: str, name: str) -> Upload:
    """The upload as it will be stored, or VALIDATION_FAILED with everything wrong with it."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    name = unicodedata.normalize("NFC", name)
    errors = upload_problems(content, media_type, kind, name)
    if errors:
        raise AppError("VALIDATION_FAILED", {"errors": errors})
    return Upload(content, media_type, kind, name, hashlib.sha256(content).hexdigest())


async def upload(session: AsyncSession, *, iin: str, checked: Upload) -> Attachment:
    """Store an e-copy for ``iin``; the same bytes uploaded again keep one row (with the new name and kind)."""
    row = await session.get(StoredAttachment, (iin, checked.sha256))
    if row is None:
        row = StoredAttachment(
            owner_iin=iin,
            sha256=checked.sha256,
            kind=checked.kind,
            name=checked.name,
            media_type=checked.media_type,
            size=len(checked.content),
            content=checked.content,
        )
    else:
        row.kind, row.name = checked.kind, checked.name
    session.add(row)
    return reference(row)


async def content_of(session: AsyncSession, *, iin: str, sha256: str) -> StoredAttachment:
    """One of ``iin``'s uploads; NOT_FOUND for anything else."""
    row = await session.get(StoredAttachment, (iin, sha256))
    if row is None:
        raise AppError("NOT_FOUND")
    return row


async def check_references(session: AsyncSession, *, iin: str, attachments: Sequence[Attachment]) -> None:
    """Every referenced e-copy is one ``iin`` uploaded, with its real size and media type (the name
    and kind are the citizen's to choose); DOCS_INCOMPLETE names the ones that are not."""
    if not attachments:
        return
    rows = (
        await session.exec(
            select(StoredAttachment.sha256, StoredAttachment.size, StoredAttachment.media_type).where(
                StoredAttachment.owner_iin == iin,
                col(StoredAttachment.sha256).in_([a.sha256 for a in attachments]),
            )
        )
    ).all()
    stored = {sha: (size, media_type) for sha, size, media_type in rows}
    unknown = [a.sha256 for a in attachments if a.sha256 not in stored]
    altered = [a.sha256 for a in attachments if a.sha256 in stored and stored[a.sha256] != (a.size, a.media_type)]
    if unknown or altered:
        raise AppError(
            "DOCS_INCOMPLETE",
            {
                "reason": "attachments must be e-copies you uploaded to the portal (POST /api/v1/attachments)",
                "not_uploaded": unknown,
                "size_or_media_type_differs": altered,
            },
        )
