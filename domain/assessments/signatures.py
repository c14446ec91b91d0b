"""Vendor webhook signatures: ``Meridian-Signature: t=<unix seconds>,v1=<hex>``.

The signature is HMAC-SHA256, keyed with the vendor's secret, over ``f"{t}.".encode() + body``, as
lowercase hex. A header may carry several ``v1=`` values so a vendor can sign with the old and the new
secret while a secret is being rotated; it verifies if any value matches any of the given secrets.
Other ``scheme=value`` pairs are ignored, so a later scheme can be added alongside v1.

The HMAC key is the secret exactly as it was shown (``mvs_...``), as UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from secrets import token_urlsafe

from domain.kernel.errors import DomainError, ErrorKind

HEADER = "Meridian-Signature"
SECRET_PREFIX = "mvs_"  # noqa: S105 - a marker that makes leaked secrets easy to scan for, not a secret
MAX_HEADER_LENGTH = 4096
_HEX = re.compile(r"^[0-9a-f]{64}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class VendorSignatureError(DomainError):
    """A vendor webhook whose signature cannot be trusted."""

    kind = ErrorKind.UNAUTHENTICATED


class SignatureMissing(VendorSignatureError):
    code = "vendor_signature_missing"
    title = "Signature missing"
    template = "The request has no Meridian-Signature header."


class SignatureMalformed(VendorSignatureError):
    code = "vendor_signature_malformed"
    title = "Signature malformed"
    template = "The Meridian-Signature header must look like t=<unix seconds>,v1=<HMAC-SHA256 in hex>."


class SignatureMismatch(VendorSignatureError):
    code = "vendor_signature_mismatch"
    title = "Signature does not match"
    template = "The Meridian-Signature does not match the request body for any of this vendor's secrets."


class SignatureExpired(VendorSignatureError):
    code = "vendor_signature_expired"
    title = "Signature expired"
    template = "The signature's timestamp is more than {tolerance} seconds away from the server's clock."


def _digest(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``Meridian-Signature`` header value for a body sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > MAX_HEADER_LENGTH:
        raise SignatureMalformed()
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, separator, value = part.strip().partition("=")
        if not separator or not key or not value:
            raise SignatureMalformed()
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value.lower())
    if len(timestamps) != 1 or not _TIMESTAMP.match(timestamps[0]) or not signatures:
        raise SignatureMalformed()
    if not all(_HEX.match(signature) for signature in signatures):
        raise SignatureMalformed()
    return int(timestamps[0]), signatures


def verify(
    header: str | None,
    body: bytes,
    secrets: Sequence[bytes],
    now: int,
    tolerance_seconds: int = 300,
) -> int:
    """Check a ``Meridian-Signature`` header against the raw body; return its timestamp.

    The signature is checked before the time, so SignatureExpired means an authentic but stale (or
    future-dated) delivery, a likely replay; a forgery is always SignatureMismatch. No secrets means
    nothing can match: it fails closed with SignatureMismatch.
    """
    if header is None or not header.strip():
        raise SignatureMissing()
    timestamp, signatures = _parse(header)
    matched = False
    for secret in secrets:
        expected = _digest(secret, timestamp, body)
        for signature in signatures:
            # Compare every pair, without stopping early, in constant time per pair.
            matched |= hmac.compare_digest(expected, signature)
    if not matched:
        raise SignatureMismatch()
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureExpired(tolerance=tolerance_seconds)
    return timestamp


def new_vendor_secret() -> str:
    """A new vendor secret: 32 random bytes, URL-safe base64 without padding, prefixed ``mvs_``.

    The API shows it once. Verifying an HMAC needs the secret itself, so it cannot be stored hashed:
    store it encrypted like other secrets.
    """
    return SECRET_PREFIX + token_urlsafe(32)
