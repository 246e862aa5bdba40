"""Factories of the office models for the endpoint walkers (tenant isolation, foreign
keys in bodies): ``tests/core/factories.py`` imports this module."""

from __future__ import annotations

import base64

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_body(name: str = "walker.pdf") -> dict:
    """A file in a JSON body (the walkers post JSON)."""
    return {"name": name, "content": base64.b64encode(PDF).decode()}


def _register_walker_factories() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm.customers.models import Customer
    from crm.office import services
    from crm.office.models import Announcement, Attachment
    from tests.core.factories import factory, n
    from tests.sales.factories import customer

    def first_customer(admin) -> Customer:
        found = Customer.objects.filter(tenant=admin.tenant).order_by("pk").first()
        return found or customer(admin, name=f"附件客户{n()}")

    def attachment_payload(admin):
        return {"file": pdf_body(), "customer": first_customer(admin).pk}

    @factory(Attachment, payload=attachment_payload)
    def make_attachment(admin):
        return services.attachment_create(
            tenant=admin.tenant,
            actor=admin,
            file=SimpleUploadedFile("walker.pdf", PDF),
            customer=first_customer(admin),
        )

    def announcement_payload(admin):
        return {"title": f"走查公告{n()}", "body": "正文"}

    @factory(Announcement, payload=announcement_payload)
    def make_announcement(admin):
        return services.announcement_create(
            tenant=admin.tenant, actor=admin, title=f"走查公告{n()}", body="正文"
        )


_register_walker_factories()
