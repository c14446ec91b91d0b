"""Vendor webhook signatures: HMAC-SHA256 over "<t>.<body>", header t=<unix>,v1=<hex>[,v1=<hex>]."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from domain.assessments.signatures import (
    SignatureExpired,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
    new_vendor_secret,
    sign,
    verify,
)
from domain.kernel.errors import DomainError, ErrorKind

SECRET = b"mvs_current-secret"
OLD = b"mvs_previous-secret"
BODY = b'{"schema":"meridian.interview-result.v1","result_id":"r1"}'
NOW = 1_774_771_200


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, b"1774771200." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"t={NOW},v1={expected}"


def test_a_valid_signature_returns_its_timestamp() -> None:
    assert verify(sign(SECRET, NOW, BODY), BODY, [SECRET], now=NOW) == NOW
    assert verify(sign(SECRET, NOW - 300, BODY), BODY, [SECRET], now=NOW) == NOW - 300
    assert verify(sign(SECRET, NOW + 300, BODY), BODY, [SECRET], now=NOW) == NOW + 300


def test_a_tampered_body_does_not_verify() -> None:
    with pytest.raises(SignatureMismatch):
        verify(sign(SECRET, NOW, BODY), BODY.replace(b"r1", b"r2"), [SECRET], now=NOW)


def test_a_tampered_timestamp_does_not_verify() -> None:
    header = sign(SECRET, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}")
    with pytest.raises(SignatureMismatch):
        verify(header, BODY, [SECRET], now=NOW)


def test_the_wrong_secret_does_not_verify() -> None:
    with pytest.raises(SignatureMismatch):
        verify(sign(b"mvs_someone-else", NOW, BODY), BODY, [SECRET], now=NOW)


def test_no_secrets_fail_closed() -> None:
    with pytest.raises(SignatureMismatch):
        verify(sign(SECRET, NOW, BODY), BODY, [], now=NOW)


def test_rotation_accepts_any_signature_under_any_secret() -> None:
    both = f"{sign(OLD, NOW, BODY)},v1={sign(SECRET, NOW, BODY).split('v1=')[1]}"
    assert verify(both, BODY, [SECRET], now=NOW) == NOW
    assert verify(both, BODY, [OLD], now=NOW) == NOW
    # The vendor still signs with the old secret while Meridian already holds old and new.
    assert verify(sign(OLD, NOW, BODY), BODY, [SECRET, OLD], now=NOW) == NOW
    with pytest.raises(SignatureMismatch):
        verify(both, BODY, [b"mvs_third"], now=NOW)


def test_a_stale_signature_is_expired() -> None:
    with pytest.raises(SignatureExpired) as caught:
        verify(sign(SECRET, NOW - 301, BODY), BODY, [SECRET], now=NOW)
    assert caught.value.params == {"tolerance": 300}
    assert "300 seconds" in str(caught.value)


def test_a_signature_from_the_future_is_expired() -> None:
    with pytest.raises(SignatureExpired):
        verify(sign(SECRET, NOW + 301, BODY), BODY, [SECRET], now=NOW)


def test_the_tolerance_can_be_tightened() -> None:
    with pytest.raises(SignatureExpired):
        verify(sign(SECRET, NOW - 61, BODY), BODY, [SECRET], now=NOW, tolerance_seconds=60)


def test_a_forged_old_signature_is_a_mismatch_not_expired() -> None:
    with pytest.raises(SignatureMismatch):
        verify(sign(b"mvs_forger", NOW - 3600, BODY), BODY, [SECRET], now=NOW)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_header_is_reported_as_missing(header: str | None) -> None:
    with pytest.raises(SignatureMissing):
        verify(header, BODY, [SECRET], now=NOW)


VALID_HEX = "a" * 64


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"v1={VALID_HEX}",  # no timestamp
        f"t={NOW}",  # no signature
        f"t={NOW},v0={VALID_HEX}",  # no v1 signature
        f"t=soon,v1={VALID_HEX}",
        f"t=-5,v1={VALID_HEX}",
        f"t={NOW},t={NOW},v1={VALID_HEX}",
        f"t={NOW},v1=xyz",
        f"t={NOW},v1={'a' * 63}",
        f"t={NOW},v1=",
        f"t={NOW},,v1={VALID_HEX}",
        f"t={NOW},v1={VALID_HEX}," + "v1=" + ",v1=".join([VALID_HEX] * 70),
    ],
)
def test_a_malformed_header_is_reported_as_malformed(header: str) -> None:
    with pytest.raises(SignatureMalformed):
        verify(header, BODY, [SECRET], now=NOW)


def test_other_schemes_and_spaces_and_uppercase_hex_are_accepted() -> None:
    signed = sign(SECRET, NOW, BODY).split("v1=")[1].upper()
    assert verify(f"t={NOW}, v0=whatever, v1={signed}", BODY, [SECRET], now=NOW) == NOW


def test_the_errors_are_unauthenticated_domain_errors_with_stable_codes() -> None:
    codes = {
        SignatureMissing: "vendor_signature_missing",
        SignatureMalformed: "vendor_signature_malformed",
        SignatureMismatch: "vendor_signature_mismatch",
        SignatureExpired: "vendor_signature_expired",
    }
    for error, code in codes.items():
        assert issubclass(error, DomainError)
        assert error.kind is ErrorKind.UNAUTHENTICATED and error.code == code


def test_new_vendor_secrets_are_32_random_bytes_in_url_safe_base64() -> None:
    first, second = new_vendor_secret(), new_vendor_secret()
    assert first != second
    assert first.startswith("mvs_")
    encoded = first.removeprefix("mvs_")
    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))) == 32
    secret = first.encode()
    assert verify(sign(secret, NOW, BODY), BODY, [secret], now=NOW) == NOW
