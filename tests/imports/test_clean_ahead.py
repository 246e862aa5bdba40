"""Cleaning on a second thread (``importer.Ahead``) while the worker's thread writes."""

from __future__ import annotations

import threading

import pytest

from crm.core.search import build_search_key
from crm.customers.models import Customer
from crm.customers.resources import CustomerResource
from crm.imports import importer
from tests.imports.helpers import csv_bytes, run

pytestmark = pytest.mark.django_db

HEADER = ["客户编号", "客户名称", "电话", "行业"]


@pytest.fixture
def small_chunks(monkeypatch):
    """Several chunks from a few rows: the pipeline runs as it does on big files."""
    monkeypatch.setattr(importer, "FIRST_CHUNK_ROWS", 2)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)


@pytest.fixture
def cleaning_threads(monkeypatch):
    """The names of the threads that cleaned rows."""
    names: list[str] = []
    original = CustomerResource.clean_cells.__func__

    def clean_cells(cls, ctx, cells):
        names.append(threading.current_thread().name)
        return original(cls, ctx, cells)

    monkeypatch.setattr(CustomerResource, "clean_cells", classmethod(clean_cells))
    return names


def rows(n: int, start: int = 1) -> list[list]:
    return [HEADER] + [
        [f"A{i:03d}", f"重庆远天丰科技有限公司{i}", f"023-6{i:07d}", "制造业"]
        for i in range(start, start + n)
    ]


def test_rows_are_cleaned_off_the_writing_thread_with_the_same_result(
    api, tenant, small_chunks, cleaning_threads
):
    job = run(api, csv_bytes(rows(8)))
    assert job["status"] == "succeeded" and job["totals"]["new"] == 8
    assert set(cleaning_threads) == {"import-cleaning"}
    customers = Customer.objects.filter(tenant=tenant).order_by("code")
    assert [c.code for c in customers] == [f"A{i:03d}" for i in range(1, 9)]
    for customer in customers:  # the key made while cleaning is the services' key
        assert customer.search_key == build_search_key(customer.name, phones=(customer.phone,))
        assert customer.industry.label == "制造业"


def test_duplicates_across_chunks_and_errors_in_the_users_language(
    api, admin, tenant, small_chunks
):
    data = rows(6)
    data[5][0] = "A001"  # row 6 repeats row 2's code, two chunks later
    data[3][3] = "航天军工"  # row 4: not in the industry list
    data[4][1] = ""  # row 5: the name is required
    job = run(api, csv_bytes(data), on_error="skip")
    assert job["totals"] == {"rows": 6, "new": 3, "updated": 0, "unchanged": 0, "invalid": 3}
    messages = {e["row"]: e["message"] for e in job["errors"]}
    assert messages[5] == "此列必须填写。"
    assert "航天军工" in messages[4] and "行业" in messages[4]
    assert "2" in messages[6]  # "already on row 2"

    admin.language = "en"
    admin.save(update_fields=["language"])
    data = rows(2, start=20)
    data[2][1] = ""
    job = run(api, csv_bytes(data), on_error="skip")
    assert job["errors"][0]["message"] == "This column needs a value."


def test_an_error_while_cleaning_fails_the_job_and_writes_nothing(
    api, tenant, small_chunks, monkeypatch
):
    original = CustomerResource.clean_cells.__func__

    def clean_cells(cls, ctx, cells):
        values = dict((col.name, raw) for col, raw in cells)
        if values.get("code") == "A005":
            raise RuntimeError("cleaner crashed on A005")
        return original(cls, ctx, cells)

    monkeypatch.setattr(CustomerResource, "clean_cells", classmethod(clean_cells))
    job = run(api, csv_bytes(rows(8)))
    assert job["status"] == "failed"
    assert "cleaner crashed on A005" in job["detail"]
    assert not Customer.objects.filter(tenant=tenant).exists()  # abort: all or nothing
    assert not any(t.name == "import-cleaning" for t in threading.enumerate())


def test_adding_missing_dictionary_values_cleans_on_the_writing_thread(
    api, tenant, small_chunks, cleaning_threads
):
    data = rows(4)
    data[2][3] = "航天军工"
    job = run(api, csv_bytes(data), add_missing_dictionary="true")
    assert job["status"] == "succeeded" and job["totals"]["new"] == 4
    assert "import-cleaning" not in cleaning_threads  # adding an item writes
    assert Customer.objects.get(tenant=tenant, code="A002").industry.label == "航天军工"


def test_a_reimport_hands_the_rest_of_the_file_back_to_the_writing_thread(
    api, tenant, small_chunks, cleaning_threads
):
    """Unchanged rows leave no database time to overlap: after the first chunk the
    rows are cleaned where they are planned (and need no search keys)."""
    content = csv_bytes(rows(12))
    assert run(api, content)["totals"]["new"] == 12
    cleaning_threads.clear()
    job = run(api, content)
    assert job["totals"] == {"rows": 12, "new": 0, "updated": 0, "unchanged": 12, "invalid": 0}
    assert cleaning_threads[:2] == ["import-cleaning"] * 2  # the first chunk
    assert set(cleaning_threads[2:]) == {threading.current_thread().name}
    assert len(cleaning_threads) == 12  # each row cleaned once

    changed = rows(12)
    changed[12][1] = "重庆远天丰科技有限公司（新名）"
    job = run(api, csv_bytes(changed))
    assert job["totals"]["updated"] == 1 and job["totals"]["unchanged"] == 11
    customer = Customer.objects.get(tenant=tenant, code="A012")
    assert customer.search_key == build_search_key(customer.name, phones=(customer.phone,))


def test_repeated_cells_are_cleaned_once_and_keep_their_errors(api, tenant, monkeypatch):
    from crm.imports import resources

    monkeypatch.setattr(resources, "CELL_MEMO_SIZE", 3)  # the phone column overflows it
    calls: list[tuple[str, str]] = []
    original = CustomerResource._clean_cell.__func__

    def clean_cell(cls, ctx, col, raw):
        calls.append((col.name, raw))
        return original(cls, ctx, col, raw)

    monkeypatch.setattr(CustomerResource, "_clean_cell", classmethod(clean_cell))
    data = rows(8)
    data[2][3] = data[6][3] = "航天军工"  # the same unknown industry on rows 3 and 7
    data[5][2] = "12345"  # a bad phone after the phone memo was given up
    job = run(api, csv_bytes(data), on_error="skip")
    assert job["totals"]["new"] == 5 and job["totals"]["invalid"] == 3
    assert [(e["row"], e["column"]) for e in job["errors"]] == [
        (3, "行业"),
        (6, "电话"),
        (7, "行业"),
    ]
    assert job["errors"][0]["message"] == job["errors"][2]["message"]
    industries = [raw for name, raw in calls if name == "industry"]
    assert sorted(industries) == ["制造业", "航天军工"]  # each distinct value once
    phones = [raw for name, raw in calls if name == "phone"]
    assert len(phones) == 8  # all distinct: every one cleaned
    assert Customer.objects.get(tenant=tenant, code="A008").industry.label == "制造业"


def test_a_neutralised_formula_reads_back_as_it_was(api, tenant):
    """Our exports write '=... for cells starting with = + - @; a re-import undoes it."""
    data = rows(3)
    data[1][1] = "'=HYPERLINK(1)"
    data[2][1] = "O'Brien 贸易"
    data[3][1] = "'普通名称"
    job = run(api, csv_bytes(data))
    assert job["totals"]["new"] == 3
    names = set(Customer.objects.filter(tenant=tenant).values_list("name", flat=True))
    assert names == {"=HYPERLINK(1)", "O'Brien 贸易", "'普通名称"}
