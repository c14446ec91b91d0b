from __future__ import annotations

import pytest

from domain.kernel.settings import Mode, SettingsError, load_settings


def test_defaults_are_onprem_on_sqlite() -> None:
    settings = load_settings({})
    assert settings.mode is Mode.ONPREM
    assert settings.is_sqlite


def test_shared_mode_refuses_sqlite_with_a_clear_message() -> None:
    with pytest.raises(SettingsError, match="MERIDIAN_MODE=shared needs PostgreSQL"):
        load_settings({"MERIDIAN_MODE": "shared"})


def test_every_bad_setting_is_reported_by_name() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({
            "MERIDIAN_DATABASE_URL": "mysql://x", "MERIDIAN_RATE_LIMIT_PER_MINUTE": "0",
            "MERIDIAN_TENANT_TIMEZONE": "Mars/Base", "MERIDIAN_IDP_ISSUER": "https://idp",
        })
    text = str(caught.value)
    for name in ("MERIDIAN_DATABASE_URL", "MERIDIAN_RATE_LIMIT_PER_MINUTE", "MERIDIAN_TENANT_TIMEZONE",
                 "MERIDIAN_IDP_JWKS"):
        assert name in text


def test_a_wrongly_typed_setting_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="MERIDIAN_DB_POOL_SIZE"):
        load_settings({"MERIDIAN_DB_POOL_SIZE": "many"})
    with pytest.raises(SettingsError, match="MERIDIAN_MODE"):
        load_settings({"MERIDIAN_MODE": "cloud"})


def test_a_config_file_is_read_and_the_environment_wins(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "meridian.toml"
    path.write_text('rate_limit_per_minute = 42\ndefault_locale = "ja"\n')
    settings = load_settings({"MERIDIAN_CONFIG": str(path), "MERIDIAN_DEFAULT_LOCALE": "zh_CN"})
    assert settings.rate_limit_per_minute == 42
    assert settings.default_locale == "zh_CN"
