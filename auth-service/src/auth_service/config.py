"""Auth service settings (environment variables prefixed `AUTH_`)."""

from pathlib import Path

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import dev_database_url
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

PLACEHOLDER_PASSWORDS = {"changeme", "change-me", "password", "admin", "secret"}


class AuthSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("auth_svc")
    signing_key: SecretStr | None = None
    signing_key_file: Path | None = None
    previous_signing_key: SecretStr | None = None
    previous_signing_key_file: Path | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    login_window_seconds: int = 300
    login_max_failures_per_email: int = 5
    login_max_failures_per_ip: int = 50
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: SecretStr | None = None
    bootstrap_admin_name: str = "Admin"
    # Shoppers may make a local account (email and password); off when the shop's own
    # accounts are the only way in (POST /auth/token-exchange). Existing accounts and
    # admins still log in.
    local_signup: bool = True
    # Discovery, JWKS: http on loopback too (make dev, tests); deployments leave it off.
    allow_loopback_urls: bool = False
    # ID tokens: the clock skew allowed on exp/nbf/iat, and how long a JWKS is kept.
    id_token_leeway_seconds: int = Field(60, ge=0, le=300)
    jwks_cache_seconds: float = Field(300.0, gt=0)
    # A token naming a key we lack fetches the JWKS again (the provider rotated its keys),
    # but not more often than this: made-up key ids cannot make us hammer the provider.
    jwks_refresh_floor_seconds: float = Field(10.0, ge=0)
    # CSV purchase imports: the largest upload, rows per transaction, and how long a
    # worker holds a job before another may take it over (it died).
    import_max_bytes: int = Field(32 * 1_048_576, gt=0)
    import_batch_rows: int = Field(1000, ge=1, le=10_000)
    import_lease_seconds: float = Field(60.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> "AuthSettings":
        password = self.bootstrap_admin_password
        placeholder = password is not None and (
            password.get_secret_value().lower() in PLACEHOLDER_PASSWORDS
        )
        if self.environment == "production" and placeholder:
            raise ValueError("AUTH_BOOTSTRAP_ADMIN_PASSWORD is a placeholder")
        return self

    def signing_key_pem(self) -> str:
        pem = _pem(self.signing_key, self.signing_key_file)
        if not pem:
            raise RuntimeError(
                "AUTH_SIGNING_KEY (PEM) or AUTH_SIGNING_KEY_FILE (path) must be set; "
                "`make dev` generates a local one in .dev/keys/"
            )
        return pem

    def previous_signing_key_pem(self) -> str | None:
        return _pem(self.previous_signing_key, self.previous_signing_key_file)


def _pem(value: SecretStr | None, path: Path | None) -> str | None:
    if value is not None:
        return value.get_secret_value()
    if path is not None:
        return path.read_text()
    return None
