"""A step's inputs are declared once, on the step: the API validates a body with
them, the OpenAPI schema documents one operation per step with them, and each
record's ``transitions`` describe them for the web app's dialog."""

from __future__ import annotations

import pytest
from django.test import Client

from crm.core.api.viewsets import TenantViewSet
from tests.customers.leads import new_lead
from tests.sales import factories as f
from workflows.api import TransitionsMixin
from workflows.process import TransitionInputs, all_processes

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    response = Client().get("/api/schema/?lang=en", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _body(schema: dict, path: str) -> dict:
    ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_every_step_is_one_operation_with_its_own_body():
    schema = _schema()
    assert "/api/v1/leads/{id}/transitions/{name}/" not in schema["paths"]
    steps = [p for p in schema["paths"] if "/transitions/" in p]
    assert "/api/v1/leads/{id}/transitions/claim/" in steps
    # every step of every process appears (at least once: a model may have several collections)
    for process in all_processes():
        for name in process.steps:
            assert any(p.endswith(f"/transitions/{name}/") for p in steps), (process.name, name)

    disqualify = _body(schema, "/api/v1/leads/{id}/transitions/disqualify/")
    assert disqualify["required"] == ["reason"]
    assert disqualify["properties"]["reason"]["maxLength"] == 300
    assert set(disqualify["properties"]) == {"comment", "reason"}
    operation = schema["paths"]["/api/v1/leads/{id}/transitions/disqualify/"]["post"]
    assert operation["summary"] == "Disqualify"

    complete = _body(schema, "/api/v1/follow-ups/{id}/transitions/complete/")
    assert complete["required"] == ["outcome"]
    satisfaction = complete["properties"]["satisfaction"]
    enum = satisfaction.get("enum") or schema["components"]["schemas"][
        satisfaction["$ref"].rsplit("/", 1)[-1]
    ].get("enum")
    assert enum == [5, 4, 3, 2, 1]
    sign = _body(schema, "/api/v1/contracts/{id}/transitions/sign/")
    assert sign["properties"]["signed_on"]["format"] == "date"
    pool = _body(schema, "/api/v1/leads/{id}/transitions/pool/")
    assert set(pool["properties"]) == {"comment"} and "required" not in pool
    # a record's transitions describe each input as an object, as the schema says
    entry = schema["components"]["schemas"]["Transition"]["properties"]["inputs"]["items"]
    described = schema["components"]["schemas"][entry["$ref"].rsplit("/", 1)[-1]]
    assert {"name", "label", "type", "required"} <= set(described["required"])


def test_no_viewset_cleans_transition_inputs_of_its_own():
    assert not hasattr(TransitionsMixin, "clean_transition_inputs")
    viewsets = [cls for cls in _subclasses(TenantViewSet) if issubclass(cls, TransitionsMixin)]
    assert viewsets
    assert [cls.__name__ for cls in viewsets if hasattr(cls, "clean_transition_inputs")] == []
    for process in all_processes():
        for step in process.steps.values():
            assert issubclass(step.inputs, TransitionInputs), (process.name, step.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _post(api, url, body):
    return api.post(f"{url}?lang=en", body, format="json")


def test_a_bad_value_is_a_400_naming_the_field_never_a_500(api, admin):
    lead = new_lead(admin)
    url = f"/api/v1/leads/{lead.pk}/transitions/disqualify/"
    # Longer than the column (300): was cut at 2000 and failed in the database.
    too_long = _post(api, url, {"reason": "无" * 301})
    assert too_long.status_code == 400, too_long.content
    assert too_long.json()["code"] == "invalid"
    assert list(too_long.json()["fields"]) == ["reason"]
    nul = _post(api, url, {"reason": "无效", "comment": "a\x00b"})
    assert nul.status_code == 400, nul.content
    assert list(nul.json()["fields"]) == ["comment"]
    not_text = _post(api, url, {"reason": ["无效"]})
    assert (not_text.status_code, list(not_text.json()["fields"])) == (400, ["reason"])
    not_an_object = _post(api, url, ["无效"])
    assert not_an_object.status_code == 400
    assert not_an_object.json()["code"] == "invalid"

    convert = f"/api/v1/leads/{lead.pk}/transitions/convert/"
    for bad in ("abc", 0, 2**70):
        response = _post(api, convert, {"customer": bad})
        assert response.status_code == 400, (bad, response.content)
        assert list(response.json()["fields"]) == ["customer"]
    lead.refresh_from_db()
    assert lead.status == "new"


def test_missing_required_input_is_the_steps_reason_and_a_good_body_moves(api, admin):
    lead = new_lead(admin)
    url = f"/api/v1/leads/{lead.pk}/transitions/disqualify/"
    for body in ({}, {"reason": ""}, {"reason": None}, {"reason": "  "}):
        response = _post(api, url, body)
        assert response.status_code == 400, body
        assert response.json()["reasons"] == ["Give the reason for disqualifying."]
    moved = _post(api, url, {"reason": " 没有预算 ", "comment": "电话确认", "unknown": 1})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["status"], moved.json()["disqualify_reason"]) == (
        "disqualified",
        "没有预算",
    )


def test_a_date_input_is_parsed_by_the_step(admin, rep):
    contract = f.contract(rep)
    api = f.client_for(rep)
    url = f"/api/v1/contracts/{contract.pk}/transitions/sign/"
    for value in ("31/12/2026", "0001-01-01", "9999-12-31"):
        bad = _post(api, url, {"signed_on": value})
        assert (bad.status_code, list(bad.json()["fields"])) == (400, ["signed_on"]), value
    wrong_state = _post(api, url, {"signed_on": "2026-12-01"})
    assert wrong_state.status_code == 409  # a draft is not signed: the body was fine


def test_the_record_describes_each_steps_inputs_in_the_users_language(api, admin):
    lead = new_lead(admin)
    detail = api.get(f"/api/v1/leads/{lead.pk}/?lang=en").json()
    steps = {t["name"]: t for t in detail["transitions"]}
    assert steps["pool"]["inputs"] == []
    assert steps["disqualify"]["inputs"] == [
        {
            "name": "reason",
            "label": "disqualification reason",
            "required": True,
            "type": "textarea",
            "max_length": 300,
        }
    ]
