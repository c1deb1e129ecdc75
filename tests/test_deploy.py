"""The Docker files: compose.yaml's services and the Dockerfile's essentials (no daemon needed)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_compose_runs_the_bot_after_a_healthy_postgresql_16():
    """Compose has a bot built here and PostgreSQL 16 with a volume and a health check."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"bot", "db"}
    db, bot = services["db"], services["bot"]

    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    (volume,) = db["volumes"]
    assert volume.split(":")[0] in compose["volumes"]
    assert volume.endswith(":/var/lib/postgresql/data")

    assert bot["build"] == "."
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["env_file"] == ".env"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://cercle:")
    assert bot["environment"]["DATABASE_URL"].endswith("@db:5432/cercle")
    assert any(str(port).endswith(":3000") for port in bot["ports"])


def test_dockerfile_runs_cercle_as_a_non_root_user_with_a_health_check():
    """python:3.11-slim, a non-root USER, `cercle run`, and /healthz as the health check."""
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == ["python:3.11-slim"] * 2
    (user,) = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    assert re.search(r'^CMD \["cercle", "run"\]', dockerfile, re.M)


def test_docker_context_leaves_out_secrets_and_local_state():
    """.dockerignore keeps .env (the tokens), local databases and the virtualenv out."""
    ignored = (REPO / ".dockerignore").read_text().split()
    for entry in (".env", "*.db", ".venv", ".git", "tests"):
        assert entry in ignored
