"""Every JP parameter carries an official source, and the pack declares what it supports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from compliance.calculation import PayFrequency
from compliance.registry import pack_for

OFFICIAL_HOSTS = ("www.nta.go.jp", "www.kyoukaikenpo.or.jp", "www.nenkin.go.jp", "www.mhlw.go.jp",
                  "laws.e-gov.go.jp", "www.startup-roudou.mhlw.go.jp")


def cited_values(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if "value" in data and "source" in data:
            yield data
            return
        for item in data.values():
            yield from cited_values(item)


def test_every_value_cites_an_official_source() -> None:
    pack = pack_for("JP")
    checked = 0
    for series in pack.series.values():
        for version in series.versions:
            for cited in cited_values(msgspec.to_builtins(version.parameters)):
                source = cited["source"]
                assert source["url"].split("/")[2] in OFFICIAL_HOSTS, source["url"]
                assert source["issuer"] and source["document"] and source["article"]
                checked += 1
    assert checked > 300


def test_pack_declaration() -> None:
    pack = pack_for("JP")
    assert (pack.country, pack.currency) == ("JP", "JPY")
    assert pack.frequencies == frozenset({PayFrequency.MONTHLY})
    assert pack.regions["13"] == "Tokyo" and pack.regions["27"] == "Osaka"
    assert set(pack.holiday_subdivisions.values()) == {None}
    health = pack.series["health_insurance"]
    assert all(len(version.parameters.rates.value) == 47 for version in health.versions)
