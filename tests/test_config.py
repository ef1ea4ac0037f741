"""Settings come from SURVEYAPP_* variables with safe development defaults."""
from __future__ import annotations

import pytest

from surveyapp.config import ConfigError, load_settings


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SURVEYAPP_SECRET_KEY"):
        load_settings(None, str(tmp_path), environ={"SURVEYAPP_ENV": "production"})


def test_production_starts_with_a_real_secret_and_secure_cookies(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={
        "SURVEYAPP_ENV": "production", "SURVEYAPP_SECRET_KEY": "x" * 40})
    assert settings["SECRET_KEY"] == "x" * 40
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/surveyapp.sqlite"
    assert settings["QR_DIR"] == f"{tmp_path}/qr"


def test_environment_overrides_defaults_with_types(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={
        "SURVEYAPP_DATABASE_URL": "postgresql+psycopg://db/x", "SURVEYAPP_TOO_FAST_FRACTION": "1/4",
        "SURVEYAPP_PROXY_FIX": "1"})
    assert settings["DATABASE_URL"] == "postgresql+psycopg://db/x"
    assert settings["TOO_FAST_FRACTION"] == "1/4" and settings["PROXY_FIX"] == 1


def test_a_retired_sample_rate_setting_refuses_to_start(tmp_path):
    """The sample rule lives in the rules file only: a SURVEYAPP_SAMPLE_RATE left in the
    environment would silently disagree with it, so the app names where the rate is now."""
    with pytest.raises(ConfigError, match="service.sample_rate"):
        load_settings(None, str(tmp_path), environ={"SURVEYAPP_SAMPLE_RATE": "0.05"})


def test_explicit_config_wins_over_environment(tmp_path):
    settings = load_settings({"BASE_URL": "https://a.example"}, str(tmp_path),
                             environ={"SURVEYAPP_BASE_URL": "https://b.example"})
    assert settings["BASE_URL"] == "https://a.example"


def test_create_app_builds_no_engine_at_import_and_one_per_app(make_app, tmp_path):
    first = make_app()
    second = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert first.extensions["surveyapp.engine"] is not second.extensions["surveyapp.engine"]
