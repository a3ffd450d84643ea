"""The one verification of signed e-documents every service uses (architecture §5; §18
Condition 2). Checks, in this order, each failure with its own catalogue code:

1. parse, bounded (sizes, counts, nesting; the JWS JSON, the protected headers, the payload in
   RFC 8785 form) ......................................................................... EDS_MALFORMED
2. algorithm allow-list (RS256, ES256), and the algorithm fits the key ................. EDS_ALG_NOT_ALLOWED
3. the leaf is issued by the pinned issuing CA (its name and its signature on the leaf) ... EDS_CERT_UNTRUSTED
4. the signatures themselves, with the leaf's key (joserfc) ........................... EDS_SIGNATURE_INVALID
5. validity period, now and at ``sigT`` ........................... EDS_CERT_NOT_YET_VALID / EDS_CERT_EXPIRED
6. revocation: OCSP, else CRL, cached; none answering fails closed ... EDS_CERT_REVOKED / EDS_REVOCATION_UNKNOWN
   and the path to the pinned root (pyhanko-certvalidator) ............................. EDS_CERT_UNTRUSTED
7. key usage fits the purpose (SIGN for documents, AUTH for login) ................... EDS_WRONG_KEY_USAGE
8. the document fits its model, then the author's role and IIN (and BIN) against the certificate
   ........................................................... EDS_MALFORMED / EDS_PURPOSE_INVALID / EDS_IIN_MISMATCH

Steps 1–4 are offline and cheap: nothing in a header (``sigT``, ``role``, a stamp's registration) is
believed, and no revocation source is asked, before the signature over that header and the payload
holds. Step 6 runs in pyhanko-certvalidator with the end-entity revocation rule "required" (its
``require`` mode); the verdict on a certificate chain (steps 3 and 6) is cached for the revocation
freshness window in a cache bounded in size, so a warm verification costs parsing, canonical form and
the signature check.

A registration stamp's registration (``regNum``, ``regT``, ``regDistrict``: architecture §9) is parsed
with its bounds at step 1 and its time judged against ``sigT`` at step 5; whether the stamp is the
gateway's (its BIN, and holder type ``system``) is the caller's to judge from `SignatureInfo`.
"""

from __future__ import annotations

import base64
import hashlib
import json
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

from shared.cache import CACHE_ENTRIES, BoundedCache
from shared.eds.certs import HolderType, Purpose, fits_purpose, holder_bin, holder_iin, holder_name, holder_type
from shared.eds.document import EDocument
from shared.eds.jcs import TooDeep, exceeds_depth, parse_canonical
from shared.eds.revocation import RevocationSources, Source
from shared.eds.signing import (
    ALLOWED_ALGORITHMS,
    DISTRICT_CODE,
    MAX_REGISTRATION_NUMBER,
    REGISTRATION_HEADERS,
    REGISTRATION_NUMBER,
    REGISTRATION_TIME,
    REGISTRY,
    ROLES,
    TYPE,
    StampedRegistration,
    b64url_decode,
)
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
TIME_TOLERANCE = timedelta(seconds=30)
"""Validity "now" is judged with this much slack, as the path validation judges it."""
AUTHOR_ROLES = ("author", "registry")
"""The first signature is the author's: a person's or an organisation's ("author"), or a registry's
answer ("registry"); later ones are stamps ("registration", "approval")."""

# Bounds checked at parse, each refused as EDS_MALFORMED (with a reason) before what it bounds is
# decoded: verification is public, and its cost must not be the sender's to choose.
MAX_SIGNED_CHARS = 2 * 1024 * 1024
"""The signed object (its payload's and signatures' strings): an application is ~8 KB signed."""
MAX_PAYLOAD_BYTES = 1024 * 1024
"""The document's JCS bytes: ~3 KB for an application; attachments travel by reference (architecture §4)."""
MAX_HEADER_BYTES = 40 * 1024
"""One protected header: room for ``x5c`` at its bounds (3 × 8 KiB DER, in base64) and the rest."""
MAX_SIGNATURES = 8
"""The author and the stamps (registration, approval): today two or three."""
MAX_X5C_CERTS = 3
"""The signer's certificate, the issuing CA and the root: the NCA's PKCS#12 holds exactly these."""
MAX_CERT_BYTES = 8 * 1024
"""One certificate, DER: the NCA's are about 1 KB."""
MAX_JSON_DEPTH = 32
"""Nesting of the payload and of a header: documents nest ~5 deep; json/rfc8785/pydantic recurse per level."""


@dataclass(frozen=True)
class SignatureInfo:
    """Who signed (and what kind of holder: an individual, an employee, an organisation's system), as
    what, when, what revocation said (the public verification's answer), and for a registration stamp
    the registration its protected header carries (covered by its signature)."""

    iin: str | None
    bin: str | None
    name: str | None
    role: str
    signed_at: datetime
    serial: str
    revocation: Source
    holder: HolderType | None = None
    registration: StampedRegistration | None = None


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
    registration: StampedRegistration | None = None


@dataclass(frozen=True)
class _Signer:
    """A signer's certificate as ``x5c`` gives it, found issued by the pinned issuing CA; known
    offline, before its signature is checked and before any revocation source is asked."""

    chain: tuple[x509.Certificate, ...]
    issuer: x509.Certificate
    store: TrustStore
    key: RSAKey | ECKey
    alg: str
    """The one allowed algorithm that fits the key."""

    @property
    def leaf(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def serial(self) -> str:
        return f"{self.leaf.serial_number:x}"


@dataclass(frozen=True)
class _ChainVerdict:
    """What one certificate chain was found to be; reused within the revocation freshness window."""

    signer: _Signer
    source: Source
    purposes: frozenset[str]
    iin: str | None
    bin: str | None
    name: str | None
    holder: HolderType | None


def _malformed(reason: str, **details: Any) -> AppError:
    return AppError("EDS_MALFORMED", {"reason": reason, **details})


def _b64_size(text: str) -> int:
    """How many bytes base64 ``text`` (padded or not, standard or URL-safe) decodes to, read from its
    length alone (at most this many when it holds characters outside the alphabet)."""
    return len(text.rstrip("=")) * 3 // 4


def _decode_bounded(text: str, limit: int, what: str, **details: Any) -> bytes:
    """base64url ``text`` decoded, refused before decoding when it holds more than ``limit`` bytes."""
    if _b64_size(text) > limit:
        raise _malformed(f"{what} is larger than {limit} bytes", limit=limit, **details)
    try:
        return b64url_decode(text)
    except ValueError:
        raise _malformed(f"{what} is not base64url", **details) from None


def _parse(signed: Any) -> tuple[dict[str, Any], list[_Member]]:
    if not isinstance(signed, Mapping) or set(signed) != {"payload", "signatures"}:
        raise _malformed("not a JWS JSON General Serialization ({payload, signatures})")
    payload, signatures = signed["payload"], signed["signatures"]
    if not isinstance(payload, str) or not isinstance(signatures, list) or not signatures:
        raise _malformed("payload must be a string and signatures a non-empty list")
    if len(signatures) > MAX_SIGNATURES:
        raise _malformed(f"more than {MAX_SIGNATURES} signatures", count=len(signatures), limit=MAX_SIGNATURES)
    size = len(payload)
    for index, member in enumerate(signatures):
        if not isinstance(member, Mapping) or set(member) != {"protected", "signature"}:
            raise _malformed("each signature has exactly a protected header and a signature", signature=index)
        if not isinstance(member["protected"], str) or not isinstance(member["signature"], str):
            raise _malformed("the protected header and the signature are base64url strings", signature=index)
        size += len(member["protected"]) + len(member["signature"])
    if size > MAX_SIGNED_CHARS:
        raise _malformed(f"the signed document is larger than {MAX_SIGNED_CHARS} bytes", limit=MAX_SIGNED_CHARS)
    raw = _decode_bounded(payload, MAX_PAYLOAD_BYTES, "payload")
    try:
        document = parse_canonical(raw, max_depth=MAX_JSON_DEPTH)
    except TooDeep:
        raise _malformed(f"payload nests deeper than {MAX_JSON_DEPTH}", limit=MAX_JSON_DEPTH) from None
    except ValueError as exc:  # UnicodeDecodeError too
        raise _malformed("payload is not RFC 8785 canonical JSON", error=str(exc)) from None
    if not isinstance(document, dict):
        raise _malformed("payload is not a JSON object")
    return document, [_parse_member(index, member, payload) for index, member in enumerate(signatures)]


def _parse_member(index: int, member: Mapping[str, str], payload: str) -> _Member:
    protected, signature = member["protected"], member["signature"]
    raw = _decode_bounded(protected, MAX_HEADER_BYTES, "protected header", signature=index)
    try:
        text = raw.decode()  # UTF-8 only: what exceeds_depth reads, and no encoding guessed by json
    except UnicodeDecodeError:
        raise _malformed("protected header is not base64url JSON", signature=index) from None
    if exceeds_depth(raw, MAX_JSON_DEPTH):
        raise _malformed(f"protected header nests deeper than {MAX_JSON_DEPTH}", signature=index, limit=MAX_JSON_DEPTH)
    try:
        header = json.loads(text)
    except ValueError:
        raise _malformed("protected header is not base64url JSON", signature=index) from None
    if not isinstance(header, dict) or header.get("typ") != TYPE or header.get("role") not in ROLES:
        raise _malformed(f"protected header needs typ {TYPE!r} and a known role", signature=index)
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise AppError("EDS_ALG_NOT_ALLOWED", {"alg": header.get("alg"), "allowed": list(ALLOWED_ALGORITHMS)})
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise _malformed("x5c (the signer's certificate chain) is missing", signature=index)
    if len(x5c) > MAX_X5C_CERTS:
        raise _malformed(
            f"x5c holds more than {MAX_X5C_CERTS} certificates", signature=index, count=len(x5c), limit=MAX_X5C_CERTS
        )
    if any(_b64_size(c) > MAX_CERT_BYTES for c in x5c):
        raise _malformed(f"an x5c certificate is larger than {MAX_CERT_BYTES} bytes", signature=index)
    sig_t = header.get("sigT")
    try:
        if not isinstance(sig_t, str) or len(sig_t) != 20 or not sig_t.endswith("Z"):
            raise ValueError(sig_t)
        signed_at = datetime.fromisoformat(sig_t[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise _malformed("sigT is not an RFC 3339 UTC time (YYYY-MM-DDThh:mm:ssZ)", signature=index) from None
    registration = _registration(header, index)
    return _Member(header, tuple(x5c), signed_at, f"{protected}.{payload}".encode(), signature, registration)


def _registration(header: dict[str, Any], index: int) -> StampedRegistration | None:
    """A registration stamp's registration, bounded: all of ``regNum``, ``regT``, ``regDistrict`` or
    none, and only on a signature of role ``registration``."""
    present = [name for name in REGISTRATION_HEADERS if name in header]
    if not present:
        return None
    if len(present) != len(REGISTRATION_HEADERS):
        raise _malformed("a stamp's registration needs regNum, regT and regDistrict together", signature=index)
    if header["role"] != "registration":
        raise _malformed("only a registration stamp carries a registration", signature=index)
    number, district = header["regNum"], header["regDistrict"]
    if (
        not isinstance(number, str)
        or len(number) > MAX_REGISTRATION_NUMBER
        or not REGISTRATION_NUMBER.fullmatch(number)
    ):
        raise _malformed("regNum is not a registration number (PREFIX-YYYYMMDD-NNNNNN)", signature=index)
    if not isinstance(district, str) or not DISTRICT_CODE.fullmatch(district):
        raise _malformed("regDistrict is not a district code", signature=index)
    reg_t = header["regT"]
    try:
        if not isinstance(reg_t, str) or not REGISTRATION_TIME.fullmatch(reg_t):
            raise ValueError(reg_t)
        at = datetime.fromisoformat(reg_t[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise _malformed("regT is not an RFC 3339 UTC time (YYYY-MM-DDThh:mm:ss[.ffffff]Z)", signature=index) from None
    return StampedRegistration(number, at, district)


def _load_chain(x5c: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    try:
        return tuple(x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in x5c)
    except ValueError:
        raise _malformed("x5c does not hold DER certificates in standard base64") from None


def _chain_key(x5c: tuple[str, ...]) -> bytes:
    """The verdict cache's key for a chain: its digest (a cached chain passed base64 decoding, so
    no certificate holds the separator)."""
    return hashlib.sha256("\n".join(x5c).encode()).digest()


def _key_for(cert: x509.Certificate, alg: str) -> tuple[RSAKey | ECKey, str]:
    public = cert.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if alg == "RS256" and isinstance(public, rsa.RSAPublicKey):
        return RSAKey.import_key(pem), alg
    if alg == "ES256" and isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return ECKey.import_key(pem), alg
    raise _alg_misfit(alg)


def _alg_misfit(alg: str) -> AppError:
    return AppError("EDS_ALG_NOT_ALLOWED", {"alg": alg, "reason": "the algorithm does not fit the certificate's key"})


def _identify(member: _Member, store: TrustStore) -> _Signer:
    """The signer's chain, its key for the header's algorithm, and the pinned issuing CA's
    signature on the leaf: offline, so a certificate from another CA is never a revocation question."""
    chain = _load_chain(member.x5c)
    leaf = chain[0]
    key, alg = _key_for(leaf, member.header["alg"])
    issuer = next((c for c in store.intermediates if c.subject == leaf.issuer), None)
    try:
        if issuer is None:
            raise ValueError("issuer is not a pinned CA")
        leaf.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        raise AppError("EDS_CERT_UNTRUSTED", {"issuer": leaf.issuer.rfc4514_string()}) from None
    return _Signer(chain, issuer, store, key, alg)


def _check_signature(index: int, member: _Member, signer: _Signer) -> None:
    if member.header["alg"] != signer.alg:
        raise _alg_misfit(member.header["alg"])
    try:
        valid = REGISTRY.get_alg(signer.alg).verify(member.signing_input, b64url_decode(member.signature), signer.key)
    except (JoseError, ValueError, TypeError):
        valid = False
    if not valid:
        raise AppError("EDS_SIGNATURE_INVALID", {"signature": index, "serial": signer.serial})


def _check_times(member: _Member, leaf: x509.Certificate, now: datetime) -> None:
    if now < leaf.not_valid_before_utc - TIME_TOLERANCE:
        raise AppError("EDS_CERT_NOT_YET_VALID", {"at": "now", "not_before": leaf.not_valid_before_utc.isoformat()})
    if now > leaf.not_valid_after_utc + TIME_TOLERANCE:
        raise AppError("EDS_CERT_EXPIRED", {"at": "now", "not_after": leaf.not_valid_after_utc.isoformat()})
    if member.signed_at > now + CLOCK_SKEW:
        raise _malformed("sigT is in the future", sigT=member.header["sigT"])
    if member.signed_at < leaf.not_valid_before_utc:
        raise AppError("EDS_CERT_NOT_YET_VALID", {"at": "sigT", "not_before": leaf.not_valid_before_utc.isoformat()})
    if member.signed_at > leaf.not_valid_after_utc:
        raise AppError("EDS_CERT_EXPIRED", {"at": "sigT", "not_after": leaf.not_valid_after_utc.isoformat()})
    if member.registration is not None and member.registration.at.replace(microsecond=0) > member.signed_at:
        # A stamp signs a registration already made: its time is not after the signing time (in whole seconds).
        raise _malformed("regT is later than the stamp's sigT", regT=member.header["regT"], sigT=member.header["sigT"])


class Verifier:
    """Verifies signed e-documents against the pinned test NCA root. Chain verdicts are kept for the
    revocation freshness window, at most ``cache_entries`` of them (least recently used out first)."""

    def __init__(
        self,
        trust: NcaTrust | TrustStore,
        revocation: RevocationSources | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache_entries: int = CACHE_ENTRIES,
    ) -> None:
        self.trust = trust
        self.revocation = revocation or RevocationSources()
        self.clock = clock
        self._verdicts: BoundedCache[bytes, _ChainVerdict] = BoundedCache(cache_entries)

    def forget(self) -> None:
        """Drop every cached chain verdict and revocation answer: the next verification asks the NCA
        again (on news of a revocation)."""
        self._verdicts.clear()
        self.revocation.forget()

    @overload
    async def verify(self, signed: Any, *, purpose: Purpose = "sign") -> Verified[EDocument]: ...

    @overload
    async def verify(self, signed: Any, *, purpose: Purpose = "sign", model: type[D]) -> Verified[D]: ...

    async def verify(
        self, signed: Any, *, purpose: Purpose = "sign", model: type[EDocument] = EDocument
    ) -> Verified[Any]:
        """Run every check on every signature, in the module's order; return the document validated
        into ``model`` and who signed it, or raise the first failure's `AppError`. The first
        signature must be the author's."""
        document, members = _parse(signed)
        keys = [_chain_key(member.x5c) for member in members]
        verdicts = [self._verdicts.get(key) for key in keys]
        signers: list[_Signer] = []
        for index, (member, cached) in enumerate(zip(members, verdicts, strict=True)):
            signer = cached.signer if cached is not None else _identify(member, await self._store())
            _check_signature(index, member, signer)
            signers.append(signer)
        now = self.clock()
        for member, signer in zip(members, signers, strict=True):
            _check_times(member, signer.leaf, now)
        infos: list[SignatureInfo] = []
        for index, (member, signer) in enumerate(zip(members, signers, strict=True)):
            verdict = verdicts[index] or self._verdicts.get(keys[index])  # or an earlier member's, same chain
            if verdict is None:
                verdict = await self._judge(signer, now)
                self._verdicts.put(keys[index], verdict, self.revocation.freshness_s)
            if purpose not in verdict.purposes:
                raise AppError("EDS_WRONG_KEY_USAGE", {"purpose": purpose, "serial": signer.serial})
            infos.append(
                SignatureInfo(
                    verdict.iin,
                    verdict.bin,
                    verdict.name,
                    member.header["role"],
                    member.signed_at,
                    signer.serial,
                    verdict.source,
                    verdict.holder,
                    member.registration,
                )
            )
        parsed = self._check_author(document, infos, model)
        return Verified(parsed, document, tuple(infos), signed)

    async def _store(self) -> TrustStore:
        return self.trust if isinstance(self.trust, TrustStore) else await self.trust.get()

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

    async def _judge(self, signer: _Signer, now: datetime) -> _ChainVerdict:
        """Revocation (the network, at last) and the path to the pinned root, then what the leaf says
        of its holder."""
        leaf = signer.leaf
        info = await self.revocation.collect(leaf, signer.issuer)
        if info is None:
            raise AppError("EDS_REVOCATION_UNKNOWN", {"serial": signer.serial})
        context = ValidationContext(
            trust_roots=[_asn1(signer.store.root)],
            other_certs=[_asn1(c) for c in signer.store.intermediates],
            moment=now,
            allow_fetching=False,
            ocsps=list(info.ocsp),
            crls=list(info.crls),
            revinfo_policy=POLICY,
            time_tolerance=TIME_TOLERANCE,
        )
        validator = CertificateValidator(_asn1(leaf), [_asn1(c) for c in signer.chain[1:]], validation_context=context)
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
            raise AppError("EDS_REVOCATION_UNKNOWN", {"serial": signer.serial, "error": str(exc)}) from None
        except (pv.PathValidationError, pv.ValidationError) as exc:
            raise AppError("EDS_CERT_UNTRUSTED", {"error": str(exc)}) from None
        return _ChainVerdict(
            signer=signer,
            source=info.source,
            purposes=frozenset(p for p in ("sign", "auth") if fits_purpose(leaf, p)),
            iin=holder_iin(leaf),
            bin=holder_bin(leaf),
            name=holder_name(leaf),
            holder=holder_type(leaf),
        )


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
