"""Where the test NCA keeps its state: registry_stub's own database (tables in ``models.py``). Every
process serving the NCA reads revocations from here, so a revocation made by one is seen by all at once.

Writers of the CRL (a revocation, a renewal) first lock the issuing CA's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already admits one writer at a time), so CRL numbers go up by
one and never collide, whichever process writes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registry_stub.models import CaCredential, CrlRecord, IssuedCertificate
from services.registry_stub.nca.pki import Credential
from shared.calendar import utcnow
from shared.db import Database
from shared.errors import AppError

ROOT, ISSUING, RESPONDER = "root", "issuing", "ocsp"
CRLS_KEPT = 10
"""Older CRLs are deleted; a few are kept to look at when something went wrong."""

MakeCrl = Callable[[int, list[IssuedCertificate]], CrlRecord]
"""Given the next CRL number and every revoked certificate, the CRL to publish."""


async def load_credentials(db: Database) -> dict[str, Credential]:
    """The NCA's own credentials by role (root, issuing, ocsp); empty before the first start."""
    async with db.sessions() as session:
        rows = (await session.exec(select(CaCredential))).all()
    return {row.role: Credential.from_pem(row.certificate_pem, row.private_key_pem) for row in rows}


async def insert_or_load(db: Database, made: dict[str, Credential]) -> dict[str, Credential]:
    """Store ``made`` (all or nothing) unless another process stored credentials for these roles first;
    either way return what is now stored. The role is the primary key: the loser's insert fails."""
    try:
        async with db.transaction() as session:
            for role, credential in made.items():
                session.add(
                    CaCredential(
                        role=role,
                        certificate_pem=credential.certificate_pem,
                        private_key_pem=credential.private_key_pem,
                    )
                )
    except IntegrityError:
        pass  # a concurrent first start won; use its credentials
    return await load_credentials(db)


async def replace_responder(db: Database, credential: Credential) -> None:
    """Put a renewed OCSP responder credential in place of the old one."""
    await replace_credential(db, RESPONDER, credential)


async def replace_credential(db: Database, role: str, credential: Credential) -> None:
    """Put a renewed credential in place of the old one for ``role``."""
    async with db.transaction() as session:
        row = await session.get(CaCredential, role)
        if row is None:
            row = CaCredential(role=role, certificate_pem="", private_key_pem="")
        row.certificate_pem = credential.certificate_pem
        row.private_key_pem = credential.private_key_pem
        row.created_at = utcnow()
        session.add(row)


async def add_certificate(db: Database, issued: IssuedCertificate) -> None:
    """Record an issued certificate."""
    async with db.transaction() as session:
        session.add(issued)


async def get_certificate(db: Database, serial: str) -> IssuedCertificate | None:
    """The certificate with this serial (lowercase hex), if the NCA issued it."""
    async with db.sessions() as session:
        return await session.get(IssuedCertificate, serial)


async def revoke(db: Database, serial: str, reason: str, at: datetime, make_crl: MakeCrl) -> IssuedCertificate:
    """Mark the certificate revoked and publish the next CRL, in one transaction: either both or neither.
    CERTIFICATE_NOT_FOUND / CERTIFICATE_ALREADY_REVOKED when there is nothing to revoke."""
    async with db.transaction() as session:
        await _lock_crl(session)
        row = await session.get(IssuedCertificate, serial)
        if row is None:
            raise AppError("CERTIFICATE_NOT_FOUND", {"serial": serial})
        if row.revoked_at is not None:
            raise AppError("CERTIFICATE_ALREADY_REVOKED", {"serial": serial, "revoked_at": row.revoked_at.isoformat()})
        row.revoked_at, row.revocation_reason = at, reason
        session.add(row)
        await session.flush()
        await _publish(session, make_crl)
    return row


async def current_crl(db: Database) -> CrlRecord | None:
    """The newest CRL published, if any."""
    async with db.sessions() as session:
        return await _newest(session)


async def renew_crl(db: Database, make_crl: MakeCrl, is_stale: Callable[[CrlRecord], bool]) -> CrlRecord:
    """Publish a new CRL unless another writer already replaced the stale one; return the current CRL."""
    async with db.transaction() as session:
        await _lock_crl(session)
        newest = await _newest(session)
        if newest is not None and not is_stale(newest):
            return newest
        return await _publish(session, make_crl)


async def _lock_crl(session: AsyncSession) -> None:
    await session.exec(select(CaCredential.role).where(CaCredential.role == ISSUING).with_for_update())


async def _newest(session: AsyncSession) -> CrlRecord | None:
    return (await session.exec(select(CrlRecord).order_by(col(CrlRecord.number).desc()).limit(1))).first()


async def _publish(session: AsyncSession, make_crl: MakeCrl) -> CrlRecord:
    number = ((await session.exec(select(func.max(CrlRecord.number)))).one() or 0) + 1
    revoked = select(IssuedCertificate).where(col(IssuedCertificate.revoked_at).is_not(None))
    crl = make_crl(number, list((await session.exec(revoked.order_by(col(IssuedCertificate.revoked_at)))).all()))
    session.add(crl)
    await session.exec(sa.delete(CrlRecord).where(col(CrlRecord.number) <= number - CRLS_KEPT))
    return crl
