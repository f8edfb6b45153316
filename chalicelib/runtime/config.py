"""Settings: every knob Keyhole has, read once from the environment the Lambda (or CLI) gets.

Domain code takes a `Settings` argument instead of reading `os.environ`, so tests and scripts
can build one explicitly; only `Settings.from_env` touches the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

# Stages that run on a developer's machine or in tests: no API Gateway in front.
LOCAL_STAGES = ("local", "test")
STAGES_THAT_MAY_TRUST_FORWARDED_FOR = LOCAL_STAGES
MIN_PAGE_POLL_SECONDS = 10
FAST_POLL_STAGES = ("local", "test")  # may poll faster than every 10 s (browser tests)
MAX_PAGE_POLL_SECONDS = 300
UNSET_STREAM_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/KEYHOLE_STREAM_ARN-is-not-set/stream/unset"


def stream_arn_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The table stream the consumer subscribes to. Chalice reads it when app.py is imported (it
    loads the stage's environment variables first), so `chalice deploy/package` needs the infra
    stack's TableStreamArn output in KEYHOLE_STREAM_ARN; unset, deploying fails on this ARN."""
    env = os.environ if environ is None else environ
    return env.get("KEYHOLE_STREAM_ARN") or UNSET_STREAM_ARN


class MissingSettings(RuntimeError):
    """Required KEYHOLE_* variables are not set; `missing` names them (tools turn it into one line)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing environment variables: {', '.join(missing)}")
        self.missing = missing


def _public_url(value: str | None) -> str | None:
    """KEYHOLE_PUBLIC_URL: the scheme and host (and optional path prefix) share URLs start with."""
    url = (value or "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError("KEYHOLE_PUBLIC_URL must be an absolute http(s) URL without query or fragment")
    return url


def _content_url(value: str | None) -> str | None:
    """KEYHOLE_CONTENT_URL: the content origin template (`https://{label}.content.example.com`)."""
    url = (value or "").strip().rstrip("/")
    if not url:
        return None
    from chalicelib.runtime.content_origin import template_problem

    problem = template_problem(url)
    if problem:
        raise RuntimeError(f"KEYHOLE_CONTENT_URL {problem}")
    return url


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Deployment settings. Defaults suit a deployed stage; local runs override a few."""

    table_name: str
    counters_table_name: str
    kms_key_id: str
    region: str = "us-east-1"
    # Keys sealed values may still be under while a KMS key replacement is under way: opened, never
    # used to seal (KEYHOLE_KMS_PREVIOUS_KEY_IDS, comma-separated; docs/operations.md).
    kms_previous_key_ids: tuple[str, ...] = ()
    stage: str = "dev"
    # Endpoint for every AWS client (moto server locally); None means the real AWS endpoints.
    aws_endpoint: str | None = None
    # Public base URL for share links (custom domain). None: derived from each request.
    public_url: str | None = None
    # Where proxied content of origin links is served (chalicelib/runtime/content_origin.py): a URL
    # template whose first host label is `{label}` (one web origin per link), e.g.
    # `https://{label}.content.example.com`. None: the local/test stages use
    # `http://{label}.localhost:<port>`; deployed stages serve no proxied content.
    content_url: str | None = None
    # A proxied request's whole exchange with the origin (fits API Gateway's 29 s and the 25 s
    # Lambda timeout), and the largest origin answer passed on (a Lambda response carries 6 MB).
    origin_timeout_seconds: float = 20.0
    origin_max_response_bytes: int = 4 * 1024 * 1024
    stream_arn: str = ""
    # Only honoured on the local/test stages: lets tests and `make run` present distinct viewer IPs.
    trust_forwarded_for: bool = False
    # Envelope encryption: how long and how often one KMS data key may seal.
    data_key_max_age_seconds: int = 300
    data_key_max_uses: int = 10_000
    # scrypt cost for link passwords (n=2**15, r=8 uses 32 MiB and ~50-100 ms in Lambda).
    scrypt_n: int = 2**15
    # Failed resolves allowed per IP per minute when the token names no tenant (unknown tokens).
    default_failed_resolves_per_min_per_ip: int = 30
    # Password attempts per link per minute before 429.
    password_attempts_per_min: int = 5
    # How often an open share page polls `/data`: never more often than every 10 s (docs/viewer.md);
    # local/test stages may go down to 1 s so browser tests need not wait.
    page_poll_seconds: int = 10
    # Max request body accepted by the admin API (the document limit is separate: 256 KiB).
    max_body_bytes: int = 1024 * 1024
    # The files bucket (infra stack output FilesBucketName; chalicelib/files). None: this deployment
    # stores no files (the file routes answer 409 `files_unavailable`).
    files_bucket: str | None = None
    # AWS client timeouts. Short in production (fail fast into a 503); a local stack may raise them.
    aws_connect_timeout_seconds: float = 2.0
    aws_read_timeout_seconds: float = 5.0
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_local_stage(self) -> bool:
        """No API Gateway in front: URLs may come from `Host`, webhooks may call this machine."""
        return self.stage in LOCAL_STAGES

    @property
    def honours_forwarded_for(self) -> bool:
        """X-Forwarded-For is attacker-controlled on API Gateway; trust it only on local stages."""
        return self.trust_forwarded_for and self.stage in STAGES_THAT_MAY_TRUST_FORWARDED_FOR

    @property
    def effective_page_poll_seconds(self) -> int:
        floor = 1 if self.stage in FAST_POLL_STAGES else MIN_PAGE_POLL_SECONDS
        return min(MAX_PAGE_POLL_SECONDS, max(floor, int(self.page_poll_seconds)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        missing = [
            name for name in ("KEYHOLE_TABLE", "KEYHOLE_COUNTERS_TABLE", "KEYHOLE_KMS_KEY_ID") if not env.get(name)
        ]
        if missing:
            raise MissingSettings(missing)
        return cls(
            table_name=env["KEYHOLE_TABLE"],
            counters_table_name=env["KEYHOLE_COUNTERS_TABLE"],
            kms_key_id=env["KEYHOLE_KMS_KEY_ID"],
            kms_previous_key_ids=tuple(
                k.strip() for k in (env.get("KEYHOLE_KMS_PREVIOUS_KEY_IDS") or "").split(",") if k.strip()
            ),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            stage=env.get("KEYHOLE_STAGE", "dev"),
            aws_endpoint=env.get("KEYHOLE_AWS_ENDPOINT") or None,
            public_url=_public_url(env.get("KEYHOLE_PUBLIC_URL")),
            content_url=_content_url(env.get("KEYHOLE_CONTENT_URL")),
            files_bucket=(env.get("KEYHOLE_FILES_BUCKET") or "").strip() or None,
            origin_timeout_seconds=float(env.get("KEYHOLE_ORIGIN_TIMEOUT") or 20.0),
            stream_arn=env.get("KEYHOLE_STREAM_ARN", ""),
            trust_forwarded_for=_flag(env.get("KEYHOLE_TRUST_FORWARDED_FOR")),
            scrypt_n=int(env.get("KEYHOLE_SCRYPT_N", 2**15)),
            page_poll_seconds=int(env.get("KEYHOLE_PAGE_POLL_SECONDS") or MIN_PAGE_POLL_SECONDS),
            aws_read_timeout_seconds=float(env.get("KEYHOLE_AWS_READ_TIMEOUT", 5.0)),
        )

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
