from django.db import connection
from django.http import JsonResponse

from tasks.broker import is_in_process, ping


def health(request):
    """Database and broker status; 503 when either is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "down"
    broker = "ok" if ping() else "down"
    body = {
        "status": "ok" if database == broker == "ok" else "down",
        "database": database,
        "database_vendor": connection.vendor,
        "broker": broker,
        "broker_kind": "in-process" if is_in_process() else "redis",
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
