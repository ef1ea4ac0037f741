"""Settings come from SURVEYAPP_* variables with safe development defaults."""
from __future__ import annotations

import pytest

from surveyapp.config import ConfigError, load_settings


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SURVEYAPP_SECRET_KEY"):
        load_settings(None, str(tmp_path), environ={"SURVEYAPP_ENV": "production"})


STRONG = "3f1c9a7be04d6258c1e97a0b4f3d2e6a8b5c7d9e0f1a2b3c4d5e6f708192a3b4"  # secrets.token_hex(32)
SHARED_STORE = {"SURVEYAPP_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/5"}


def test_production_starts_with_a_real_secret_and_secure_cookies(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={
        "SURVEYAPP_ENV": "production", "SURVEYAPP_SECRET_KEY": STRONG, **SHARED_STORE})
    assert settings["SECRET_KEY"] == STRONG
    assert settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("weak", ["x", "x" * 40, "a" * 64, "ab" * 32, "0123456789abcdef" * 4,
                                  "correct horse battery staple", "3f1c9a7be04d6258c1e97a0b4f3d2e6a"])
def test_production_refuses_a_weak_secret_and_says_how_to_make_one(tmp_path, weak):
    with pytest.raises(ConfigError, match=r"too weak.*secrets\.token_hex\(32\)"):
        load_settings(None, str(tmp_path), environ={
            "SURVEYAPP_ENV": "production", "SURVEYAPP_SECRET_KEY": weak, **SHARED_STORE})


def test_secret_key_entropy_estimate():
    import secrets

    from surveyapp.config import SECRET_KEY_MIN_BITS, secret_key_bits

    assert all(secret_key_bits(secrets.token_hex(32)) >= SECRET_KEY_MIN_BITS for _ in range(200))
    assert all(secret_key_bits(secrets.token_urlsafe(32)) >= SECRET_KEY_MIN_BITS for _ in range(200))
    assert secret_key_bits(secrets.token_hex(16)) == 128
    assert secret_key_bits("") == 0


def test_production_refuses_per_process_rate_limits_unless_told(tmp_path):
    environ = {"SURVEYAPP_ENV": "production", "SURVEYAPP_SECRET_KEY": STRONG}
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI.*redis://"):
        load_settings(None, str(tmp_path), environ=environ)
    settings = load_settings(None, str(tmp_path), environ={**environ, "SURVEYAPP_RATELIMIT_PER_PROCESS_OK": "1"})
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_development_keeps_the_memory_store_and_a_development_key(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={})
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SECRET_KEY"] == "dev-only-not-secret"


def test_import_caps_are_settings_every_importer_reads(tmp_path):
    settings = load_settings(None, str(tmp_path), environ={
        "SURVEYAPP_IMPORT_MAX_BYTES": "1000", "SURVEYAPP_IMPORT_MAX_ROWS": "10",
        "SURVEYAPP_IMPORT_MAX_CELL_CHARS": "50"})
    assert (settings["IMPORT_MAX_BYTES"], settings["IMPORT_MAX_ROWS"], settings["IMPORT_MAX_CELL_CHARS"]) == (1000, 10, 50)


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
