"""The user manual built once per test session (``manage.py build_manual`` into a temporary
directory) and served by the app: import ``built_manual`` into a test module to use it."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def built_manual_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("manual") / "site"
    call_command("build_manual", out=str(out))
    return out


@pytest.fixture
def built_manual(built_manual_dir, settings):
    """/docs/ answers from the session's build."""
    settings.MANUAL_DIR = str(built_manual_dir)
    return built_manual_dir
