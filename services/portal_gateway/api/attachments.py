"""E-copies of documents (§14 "on the portal"), uploaded before signing and referenced by SHA-256.

The body is the file's bytes as they are (not multipart), with its media type in Content-Type and
its kind and name in the query: ``POST /api/v1/attachments?kind=marriage_certificate&name=marriage.pdf``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from services.portal_gateway import attachments
from services.portal_gateway.api.deps import AccountHolder, Db
from shared.api.limits import body_limit
from shared.errors import AppError
from shared.housing.application import Attachment

router = APIRouter(prefix="/api/v1/attachments", tags=["attachments"])
_BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY_LIMIT = attachments.MAX_SIZE + 1024 * 1024
"""The kernel's limit on an upload's body (shared.api.limits, architecture §7): above the 10 MB rule, so
that the rule answers (VALIDATION_FAILED) and the kernel refuses, unread, only what declares more."""


async def _read_limited(request: Request) -> bytes:
    """The body, refused as soon as it passes the size limit (not read whole first)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > attachments.MAX_SIZE:
            raise AppError(
                "VALIDATION_FAILED", {"errors": [{"loc": ["body"], "msg": f"larger than {attachments.MAX_SIZE} bytes"}]}
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Attachment,
    summary="Upload an e-copy of a document",
    description="The raw bytes of a PDF, JPEG or PNG (Content-Type says which), at most 10 MB; `kind` and `name` in "
    "the query. Returns the reference to put in the application's `attachments`. Only you may reference it.",
    openapi_extra={
        "requestBody": {"required": True, "content": {m: _BINARY for m in attachments.MEDIA_TYPES}},
        **body_limit(UPLOAD_BODY_LIMIT),
    },
)
async def upload(
    db: Db,
    citizen: AccountHolder,
    request: Request,
    kind: Annotated[str, Query(max_length=64, description="shared.housing.application.AttachmentKind")],
    name: Annotated[str, Query(max_length=200, description="the file's name as the citizen calls it")],
    content_type: Annotated[str, Header(max_length=200)] = "",
) -> Attachment:
    content = await _read_limited(request)
    checked = attachments.check_upload(content=content, media_type=content_type, kind=kind, name=name)
    async with db.transaction() as session:
        return await attachments.upload(session, iin=citizen.iin, checked=checked)


@router.get(
    "/{sha256}",
    summary="Download one of your e-copies",
    description="The bytes you uploaded under this SHA-256; NOT_FOUND for anything else.",
    response_class=Response,
    responses={200: {"content": {m: _BINARY for m in attachments.MEDIA_TYPES}}},
)
async def download(db: Db, citizen: AccountHolder, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    async with db.sessions() as session:
        row = await attachments.content_of(session, iin=citizen.iin, sha256=sha256)
    headers = {
        # Served as the file it is, never sniffed into something a browser would run; saved, not shown.
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": attachments.content_disposition(row.name),
        "Cache-Control": "private, no-store",
    }
    return Response(row.content, media_type=row.media_type, headers=headers)
