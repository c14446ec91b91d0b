"""A masked phone number reads the same as phonenumbers would split it, for every region's numbers."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from domain.kernel.personal_data import mask_phone, normalise_phone


def _as_phonenumbers_masks(e164: str) -> str:
    number = phonenumbers.parse(e164)
    national = str(number.national_number)
    return f"+{number.country_code} {national[:3]}{'*' * max(len(national) - 7, 0)}{national[-4:]}"


def _every_example_number() -> set[str]:
    numbers = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.add(phonenumbers.format_number(example, PhoneNumberFormat.E164))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            numbers.add(phonenumbers.format_number(example, PhoneNumberFormat.E164))
    return numbers


def test_every_regions_example_numbers_mask_as_phonenumbers_splits_them() -> None:
    numbers = _every_example_number()
    assert len(numbers) > 1000
    assert {n: mask_phone(n) for n in numbers} == {n: _as_phonenumbers_masks(n) for n in numbers}


def test_a_mask_keeps_the_country_code_the_first_three_and_the_last_four_digits() -> None:
    assert mask_phone(normalise_phone("138 0013 5678", "CN")) == "+86 138****5678"
    assert mask_phone(normalise_phone("+39 06 6982 1234")) == "+39 669**1234"  # Italian leading zero dropped
    assert mask_phone("+1 (650) 253-0000") == _as_phonenumbers_masks("+1 (650) 253-0000")  # not normalised
