"""The public page of a lead form: ``/f/<public_key>/`` (no login, embeddable).

A small server-rendered page (translated by the request's language, mobile
friendly); what a submission does is ``crm.customers.lead_forms``. CSRF is
off for this page only: it has no session to protect, and an embedding page
on another site could not send our cookie; bots are held off by the honeypot
field and the per-address rate limit instead.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_scopes import scope, scopes_disabled

from crm.core.errors import Invalid
from crm.core.modules import is_enabled
from crm.core.throttling import client_address
from crm.customers import lead_forms
from crm.customers.models import LeadForm


def _form(public_key: str) -> LeadForm:
    with scopes_disabled():
        form = (
            LeadForm.objects.select_related("tenant", "source", "campaign")
            .filter(public_key=public_key, active=True)
            .first()
        )
    if form is None or not is_enabled(form.tenant, "leads"):
        raise Http404(_("This form is not available."))
    return form


def _fields(form: LeadForm, values: dict, errors: dict) -> list[dict]:
    labels = dict(LeadForm.Field.choices)
    names = ["company_name", "mobile", *form.fields]
    kinds = {"mobile": "tel", "email": "email", "need": "textarea"}
    out = []
    for name in names:
        label = _("company name") if name == "company_name" else str(labels.get(name, name))
        out.append(
            {
                "name": name,
                "label": label,
                "kind": kinds.get(name, "text"),
                "required": name in ("company_name", "mobile"),
                "value": values.get(name, ""),
                "errors": errors.get(name, []),
            }
        )
    return out


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def lead_form_page(request, public_key: str):
    form = _form(public_key)
    context = {"form": form, "honeypot": lead_forms.HONEYPOT, "done": False}
    values: dict = {}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("company_name", "mobile", *form.fields)}
        try:
            lead_forms.check_rate(client_address(request))
        except lead_forms.RateLimited:
            context["limited"] = True
            return render(request, "customers/lead_form.html", context, status=429)
        if request.POST.get(lead_forms.HONEYPOT):
            context["done"] = True  # a bot: thanked, nothing stored
        else:
            try:
                with scope(tenant=form.tenant_id):
                    lead_forms.submit(form, request.POST)
                context["done"] = True
            except Invalid as exc:
                errors = exc.fields
                status = 400
    context["fields"] = _fields(form, values, errors)
    return render(request, "customers/lead_form.html", context, status=status)
