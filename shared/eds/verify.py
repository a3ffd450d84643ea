"""The one verification of signed e-documents every service uses (architecture §5; §18
Condition 2). Checks, in this order, each failure with its own catalogue code:

1. parse (the JWS JSON, the protected headers, the payload in RFC 8785 form) ........ EDS_MALFORMED
2. algorithm allow-list (RS256, ES256) ................................................ EDS_ALG_NOT_ALLOWED
3. chain to the pinned root (pyhanko-certvalidator) ................................... EDS_CERT_UNTRUSTED
4. validity period, now and at ``sigT`` ........................... EDS_CERT_NOT_YET_VALID / EDS_CERT_EXPIRED
5. revocation: OCSP, else CRL, cached; none answering fails closed ... EDS_CERT_REVOKED / EDS_REVOCATION_UNKNOWN
6. key usage fits the purpose (SIGN for documents, AUTH for login) ................... EDS_WRONG_KEY_USAGE
7. the author's IIN (and BIN) equal the certificate's .................................. EDS_IIN_MISMATCH
8. the signatures themselves (joserfc) ................................................ EDS_SIGNATURE_INVALID

Steps 3–5 run in pyhanko-certvalidator with the end-entity revocation rule "required" (its
``require`` mode); their verdict for a certificate chain is cached for the revocation freshness
window, so a warm verification costs parsing, canonical form and the signature check.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar, overload

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from pydantic import ValidationError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as pv
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from shared.eds.certs import Purpose, fits_purpose, holder_bin, holder_iin, holder_name
from shared.eds.document import EDocument
from shared.eds.jcs import parse_canonical
from shared.eds.revocation import RevocationSources, Source
from shared.eds.signing import ALLOWED_ALGORITHMS, REGISTRY, ROLES, TYPE, b64url_decode
from shared.eds.trust import NcaTrust, TrustStore
from shared.errors import AppError

# End entities must have revocation information (pyhanko's "require"); CA certificates are checked
# when they declare where (the issuing CA is pinned together with the root).
POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
    )
)
CLOCK_SKEW = timedelta(minutes=5)
AUTHOR_ROLES = ("author", "registry")
"""The first signature is the author's: a person's or an organisation's ("author"), or a registry's
answer ("registry"); later ones are stamps ("registration", "approval")."""


@dataclass(frozen=True)
class SignatureInfo:
    """Who signed, as what, when, and what revocation said (the public verification's answer)."""

    iin: str | None
    bin: str | None
    name: str | None
    role: str
    signed_at: datetime
    serial: str
    revocation: Source


D = TypeVar("D", bound=EDocument)


@dataclass(frozen=True)
class Verified(Generic[D]):
    """A verified e-document: the document as the model asked for, the JSON object that was signed,
    who signed it, and the signed form itself (to keep or forward)."""

    document: D
    payload: dict[str, Any]
    signatures: tuple[SignatureInfo, ...]
    signed: Mapping[str, Any]

    @property
    def author(self) -> SignatureInfo:
        return self.signatures[0]


@dataclass(frozen=True)
class _Member:
    header: dict[str, Any]
    x5c: tuple[str, ...]
    signed_at: datetime
    signing_input: bytes
    signature: str


@dataclass
class _ChainVerdict:
    """What one certificate chain was found to be; reused within the revocation freshness window."""

    checked_at: float
    source: Source
    key: RSAKey | ECKey
    leaf: x509.Certificate
    purposes: frozenset[str]
    iin: str | None
    bin: str | None
    name: str | None
    serial: str


def _malformed(reason: str, **details: Any) -> AppError:
    return AppError("EDS_MALFORMED", {"reason": reason, **details})


def _parse(signed: Any) -> tuple[dict[str, Any], list[_Member]]:
    if not isinstance(signed, Mapping) or set(signed) != {"payload", "signatures"}:
        raise _malformed("not a JWS JSON General Serialization ({payload, signatures})")
    payload, signatures = signed["payload"], signed["signatures"]
    if not isinstance(payload, str) or not isinstance(signatures, list) or not signatures:
        raise _malformed("payload must be a string and signatures a non-empty list")
    try:
        document = parse_canonical(b64url_decode(payload))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed("payload is not RFC 8785 canonical JSON", error=str(exc)) from None
    if not isinstance(document, dict):
        raise _malformed("payload is not a JSON object")
    return document, [_parse_member(index, member, payload) for index, member in enumerate(signatures)]


def _parse_member(index: int, member: Any, payload: str) -> _Member:
    if not isinstance(member, Mapping) or set(member) != {"protected", "signature"}:
        raise _malformed("each signature has exactly a protected header and a signature", signature=index)
    protected, signature = member["protected"], member["signature"]
    try:
        header = json.loads(b64url_decode(str(protected)))
    except (ValueError, UnicodeDecodeError):
        raise _malformed("protected header is not base64url JSON", signature=index) from None
    if not isinstance(header, dict) or header.get("typ") != TYPE or header.get("role") not in ROLES:
        raise _malformed(f"protected header needs typ {TYPE!r} and a known role", signature=index)
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise AppError("EDS_ALG_NOT_ALLOWED", {"alg": header.get("alg"), "allowed": list(ALLOWED_ALGORITHMS)})
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise _malformed("x5c (the signer's certificate chain) is missing", signature=index)
    sig_t = header.get("sigT")
    try:
        if not isinstance(sig_t, str) or len(sig_t) != 20 or not sig_t.endswith("Z"):
            raise ValueError(sig_t)
        signed_at = datetime.fromisoformat(sig_t[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise _malformed("sigT is not an RFC 3339 UTC time (YYYY-MM-DDThh:mm:ssZ)", signature=index) from None
    if not isinstance(signature, str):
        raise _malformed("signature is not base64url", signature=index)
    return _Member(header, tuple(x5c), signed_at, f"{protected}.{payload}".encode(), signature)


def _load_chain(x5c: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    try:
        return tuple(x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in x5c)
    except ValueError:
        raise _malformed("x5c does not hold DER certificates in standard base64") from None


def _key_for(cert: x509.Certificate, alg: str) -> RSAKey | ECKey:
    public = cert.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if alg == "RS256" and isinstance(public, rsa.RSAPublicKey):
        return RSAKey.import_key(pem)
    if alg == "ES256" and isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return ECKey.import_key(pem)
    raise AppError("EDS_ALG_NOT_ALLOWED", {"alg": alg, "reason": "the algorithm does not fit the certificate's key"})


class Verifier:
    """Verifies signed e-documents against the pinned test NCA root."""

    def __init__(
        self,
        trust: NcaTrust | TrustStore,
        revocation: RevocationSources | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.trust = trust
        self.revocation = revocation or RevocationSources()
        self.clock = clock
        self._verdicts: dict[tuple[str, ...], _ChainVerdict] = {}

    @overload
    async def verify(self, signed: Any, *, purpose: Purpose = "sign") -> Verified[EDocument]: ...

    @overload
    async def verify(self, signed: Any, *, purpose: Purpose = "sign", model: type[D]) -> Verified[D]: ...

    async def verify(
        self, signed: Any, *, purpose: Purpose = "sign", model: type[EDocument] = EDocument
    ) -> Verified[Any]:
        """Run every check on every signature; return the document validated into ``model`` and who
        signed it, or raise the first failure's `AppError`. The first signature must be the author's."""
        document, members = _parse(signed)
        now = self.clock()
        verdicts = [await self._chain_verdict(member, now) for member in members]
        infos: list[SignatureInfo] = []
        for member, verdict in zip(members, verdicts, strict=True):
            self._check_times(member, verdict.leaf, now)
            if purpose not in verdict.purposes:
                raise AppError("EDS_WRONG_KEY_USAGE", {"purpose": purpose, "serial": verdict.serial})
            infos.append(
                SignatureInfo(
                    verdict.iin,
                    verdict.bin,
                    verdict.name,
                    member.header["role"],
                    member.signed_at,
                    verdict.serial,
                    verdict.source,
                )
            )
        parsed = self._check_author(document, infos, model)
        for index, (member, verdict) in enumerate(zip(members, verdicts, strict=True)):
            try:
                valid = REGISTRY.get_alg(member.header["alg"]).verify(
                    member.signing_input, b64url_decode(member.signature), verdict.key
                )
            except (JoseError, ValueError, TypeError):
                valid = False
            if not valid:
                raise AppError("EDS_SIGNATURE_INVALID", {"signature": index, "serial": verdict.serial})
        return Verified(parsed, document, tuple(infos), signed)

    def _check_times(self, member: _Member, leaf: x509.Certificate, now: datetime) -> None:
        if member.signed_at > now + CLOCK_SKEW:
            raise _malformed("sigT is in the future", sigT=member.header["sigT"])
        if member.signed_at < leaf.not_valid_before_utc:
            raise AppError(
                "EDS_CERT_NOT_YET_VALID", {"at": "sigT", "not_before": leaf.not_valid_before_utc.isoformat()}
            )
        if member.signed_at > leaf.not_valid_after_utc:
            raise AppError("EDS_CERT_EXPIRED", {"at": "sigT", "not_after": leaf.not_valid_after_utc.isoformat()})

    def _check_author(self, document: dict[str, Any], infos: list[SignatureInfo], model: type[EDocument]) -> EDocument:
        try:
            parsed = model.model_validate(document)
        except ValidationError as exc:
            errors = [{"loc": list(map(str, e["loc"])), "msg": e["msg"]} for e in exc.errors()]
            raise _malformed("the document does not fit its type", errors=errors) from None
        author = infos[0]
        if author.role not in AUTHOR_ROLES or any(info.role in AUTHOR_ROLES for info in infos[1:]):
            raise AppError("EDS_PURPOSE_INVALID", {"reason": "the first signature, and only it, is the author's"})
        claimed = parsed.author
        if (claimed.iin is not None and claimed.iin != author.iin) or (
            claimed.bin is not None and claimed.bin != author.bin
        ):
            raise AppError(
                "EDS_IIN_MISMATCH",
                {
                    "document": claimed.model_dump(exclude_none=True),
                    "certificate": {"iin": author.iin, "bin": author.bin},
                },
            )
        return parsed

    async def _chain_verdict(self, member: _Member, now: datetime) -> _ChainVerdict:
        cached = self._verdicts.get(member.x5c)
        if cached is not None and time.monotonic() - cached.checked_at < self.revocation.freshness_s:
            if cached.leaf.not_valid_before_utc <= now <= cached.leaf.not_valid_after_utc:
                return cached
        chain = _load_chain(member.x5c)
        leaf = chain[0]
        key = _key_for(leaf, member.header["alg"])
        source = await self._validate_path(chain, now)
        verdict = _ChainVerdict(
            checked_at=time.monotonic(),
            source=source,
            key=key,
            leaf=leaf,
            purposes=frozenset(p for p in ("sign", "auth") if fits_purpose(leaf, p)),
            iin=holder_iin(leaf),
            bin=holder_bin(leaf),
            name=holder_name(leaf),
            serial=f"{leaf.serial_number:x}",
        )
        self._verdicts[member.x5c] = verdict
        return verdict

    async def _validate_path(self, chain: tuple[x509.Certificate, ...], now: datetime) -> Source:
        store = self.trust if isinstance(self.trust, TrustStore) else await self.trust.get()
        leaf = chain[0]
        # The chain comes first: only a certificate issued by a pinned CA gets its revocation asked.
        issuer = next((c for c in store.intermediates if c.subject == leaf.issuer), None)
        try:
            if issuer is None:
                raise ValueError("issuer is not a pinned CA")
            leaf.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise AppError("EDS_CERT_UNTRUSTED", {"issuer": leaf.issuer.rfc4514_string()}) from None
        info = await self.revocation.collect(leaf, issuer)
        if info is None:
            raise AppError("EDS_REVOCATION_UNKNOWN", {"serial": f"{leaf.serial_number:x}"})
        context = ValidationContext(
            trust_roots=[_asn1(store.root)],
            other_certs=[_asn1(c) for c in store.intermediates],
            moment=now,
            allow_fetching=False,
            ocsps=list(info.ocsp),
            crls=list(info.crls),
            revinfo_policy=POLICY,
            time_tolerance=timedelta(seconds=30),
        )
        validator = CertificateValidator(_asn1(leaf), [_asn1(c) for c in chain[1:]], validation_context=context)
        try:
            await validator.async_validate_path()
        except pv.PathBuildingError:
            raise AppError("EDS_CERT_UNTRUSTED", {"issuer": leaf.issuer.rfc4514_string()}) from None
        except pv.NotYetValidError:
            raise AppError(
                "EDS_CERT_NOT_YET_VALID", {"at": "now", "not_before": leaf.not_valid_before_utc.isoformat()}
            ) from None
        except pv.ExpiredError:
            raise AppError(
                "EDS_CERT_EXPIRED", {"at": "now", "not_after": leaf.not_valid_after_utc.isoformat()}
            ) from None
        except pv.RevokedError:
            raise AppError("EDS_CERT_REVOKED", _revocation_details(leaf, info.source, info.ocsp, info.crls)) from None
        except pv.InsufficientRevinfoError as exc:
            raise AppError("EDS_REVOCATION_UNKNOWN", {"serial": f"{leaf.serial_number:x}", "error": str(exc)}) from None
        except (pv.PathValidationError, pv.ValidationError) as exc:
            raise AppError("EDS_CERT_UNTRUSTED", {"error": str(exc)}) from None
        return info.source


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _revocation_details(
    leaf: x509.Certificate, source: Source, ocsps: tuple[bytes, ...], crls: tuple[bytes, ...]
) -> dict[str, Any]:
    details: dict[str, Any] = {"serial": f"{leaf.serial_number:x}", "source": source}
    for body in ocsps:
        response = ocsp.load_der_ocsp_response(body)
        if response.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            details["revoked_at"] = response.revocation_time_utc.isoformat() if response.revocation_time_utc else None
            details["reason"] = response.revocation_reason.name if response.revocation_reason else None
    for body in crls:
        entry = x509.load_der_x509_crl(body).get_revoked_certificate_by_serial_number(leaf.serial_number)
        if entry is not None:
            details["revoked_at"] = entry.revocation_date_utc.isoformat()
            try:
                details["reason"] = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
            except x509.ExtensionNotFound:
                details["reason"] = None
    return details
