"""``GET /health/``: the database, plus every check an app registered (the broker)."""

from django.db import connection
from django.http import JsonResponse

from crm.core.registries import health_checks


def health(request):
    """Database and registered checks (the broker); 503 when any is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "down"
    body = {"status": "ok", "database": database, "database_vendor": connection.vendor}
    verdicts = [database]
    for name, check in health_checks():
        try:
            fields = check()
        except Exception:
            fields = {}
        verdict = fields.get(name, "down")
        body.update(fields)
        body[name] = verdict
        verdicts.append(verdict)
    if any(v != "ok" for v in verdicts):
        body["status"] = "down"
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
