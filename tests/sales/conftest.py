import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Test bodies compare the English source strings of reasons and errors."""
    with translation.override("en"):
        yield
