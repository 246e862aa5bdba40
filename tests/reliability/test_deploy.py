"""Production settings: `check --deploy` clean, secrets from the environment,
DEBUG off unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "SECURE_", "DATABASE_URL", "REDIS_URL"))
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "x7Qp9LmZ2vB8nR4tW6yH1sD5fG0jK3aE" * 2,
    "ALLOWED_HOSTS": "crm.example.cn",
}


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", **PRODUCTION)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Every deployment check (security.*) passes; other apps' warnings (e.g. the
    # OpenAPI generator's naming hints) are not deployment settings.
    security = [line for line in output.splitlines() if "(security." in line]
    assert not security, "\n".join(security)
    assert "ERRORS" not in output, output


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_defaults_debug_off_and_https_only():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECRET_KEY.startswith('k3y-'))"
    )
    result = manage("shell", "-v", "0", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["False"] + ["True"] * 5


def test_the_development_key_fails_the_deploy_check():
    weak = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
    env = dict(PRODUCTION, SECRET_KEY=weak)
    env.pop("DJANGO_ENV")
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0  # not production: no HTTPS settings, weak key
