"""Settings: the one reader of the environment. Read once in `bot/cli.py` and passed down as values."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.teams import service_urls
from handlers.policy import parse_offsets


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every setting Kept reads. Slack and Teams keep their platforms' own names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True, populate_by_name=True)

    database_url: str = Field("sqlite:///./data/kept.db", validation_alias=_env("KEPT_DATABASE_URL"))
    host: str = Field("127.0.0.1", validation_alias=_env("KEPT_HOST"))
    port: int = Field(3978, validation_alias=_env("KEPT_PORT"), ge=1, le=65535)
    processes: int = Field(1, validation_alias=_env("KEPT_PROCESSES"), ge=1, le=64)  # `kept serve --processes`
    timezone: str = Field("Europe/London", validation_alias=_env("KEPT_TIMEZONE"))
    tick_seconds: float = Field(30.0, validation_alias=_env("KEPT_TICK_SECONDS"), gt=0)
    # Reminder offsets: days before/after a due date count working days; h and m are exact (for demos).
    nudge_offsets: str = Field("2d,0d", validation_alias=_env("KEPT_NUDGE_OFFSETS"))
    overdue_offsets: str = Field("1d,6d", validation_alias=_env("KEPT_OVERDUE_OFFSETS"))
    lead_after: str = Field("7d", validation_alias=_env("KEPT_LEAD_AFTER"))
    session_offsets: str = Field("7d,1d,2h", validation_alias=_env("KEPT_SESSION_OFFSETS"))
    impact_after: str = Field("1d", validation_alias=_env("KEPT_IMPACT_AFTER"))
    work_hours: str = Field(
        "08:00-18:00", validation_alias=_env("KEPT_WORK_HOURS"), pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$"
    )
    lease_seconds: float = Field(300.0, validation_alias=_env("KEPT_LEASE_SECONDS"), gt=0)
    delivery_batch: int = Field(50, validation_alias=_env("KEPT_DELIVERY_BATCH"), ge=1, le=1000)
    delivery_concurrency: int = Field(10, validation_alias=_env("KEPT_DELIVERY_CONCURRENCY"), ge=1, le=200)
    max_attempts: int = Field(6, validation_alias=_env("KEPT_MAX_ATTEMPTS"), ge=1, le=50)
    log_level: str = Field("INFO", validation_alias=_env("KEPT_LOG_LEVEL"))
    # Download links (a session's .ics): the address Slack and Teams users reach Kept at, and the signing key.
    public_url: str = Field("", validation_alias=_env("KEPT_PUBLIC_URL"), pattern=r"^(https?://\S+)?$")
    link_secret: str = Field("", validation_alias=_env("KEPT_LINK_SECRET"))
    review_link_days: int = Field(14, validation_alias=_env("KEPT_REVIEW_LINK_DAYS"), ge=1, le=366)
    # The pages the manifests link to: the text itself, or file:/path/to/page.html (Kept's own text if empty).
    privacy_page: str = Field("", validation_alias=_env("KEPT_PRIVACY_PAGE"))
    terms_page: str = Field("", validation_alias=_env("KEPT_TERMS_PAGE"))
    # Figures for Prometheus at /metrics (counts and timings only, never names); with a token, only for
    # `Authorization: Bearer <token>`.
    metrics: bool = Field(True, validation_alias=_env("KEPT_METRICS"))
    metrics_token: str = Field("", validation_alias=_env("KEPT_METRICS_TOKEN"))
    # prometheus_client's own setting: a folder every `kept serve` process writes its counts to, summed at scrape.
    prometheus_multiproc_dir: str = Field("", validation_alias=_env("PROMETHEUS_MULTIPROC_DIR"))

    slack_signing_secret: str = Field("", validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_bot_token: str = Field("", validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_client_id: str = Field("", validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: str = Field("", validation_alias=_env("SLACK_CLIENT_SECRET"))
    slack_app_token: str = Field("", validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    microsoft_app_id: str = Field("", validation_alias=_env("MicrosoftAppId", "MICROSOFT_APP_ID"))
    microsoft_app_password: str = Field("", validation_alias=_env("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"))
    microsoft_app_type: str = Field("MultiTenant", validation_alias=_env("MicrosoftAppType", "MICROSOFT_APP_TYPE"))
    microsoft_app_tenant_id: str = Field("", validation_alias=_env("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"))
    allow_insecure_teams: bool = Field(False, validation_alias=_env("KEPT_ALLOW_INSECURE_TEAMS"))
    # Where Kept may send Bot Connector calls (URL prefixes), and where it reads the Bot Framework's signing keys
    # (empty: login.botframework.com's OpenID metadata; tests point it at a local stand-in).
    teams_service_urls: str = Field(service_urls.DEFAULT, validation_alias=_env("KEPT_TEAMS_SERVICE_URLS"))
    teams_openid_url: str = Field("", validation_alias=_env("KEPT_TEAMS_OPENID_URL"), pattern=r"^(https?://\S+)?$")

    @field_validator("nudge_offsets", "overdue_offsets", "lead_after", "session_offsets", "impact_after")
    @classmethod
    def _reminder_offsets(cls, value: str) -> str:
        parse_offsets(value)  # raises ValueError naming the part it could not read
        return value

    @field_validator("teams_service_urls")
    @classmethod
    def _service_urls(cls, value: str) -> str:
        service_urls.ServiceUrls.parse(value)  # raises ValueError naming the entry it could not read
        return value

    @property
    def base_url(self) -> str:
        """Where people reach Kept's web app: KEPT_PUBLIC_URL, else http://KEPT_HOST:KEPT_PORT."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_client_id))

    @property
    def teams_configured(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def has_platform(self) -> bool:
        return self.slack_configured or self.teams_configured or bool(self.slack_app_token)
