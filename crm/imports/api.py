"""REST endpoints of this module (registered by crm/api_router.py)."""


def register_routes(router) -> list:
    """Register this module's viewsets on ``router``; return extra URL patterns."""
    return []
