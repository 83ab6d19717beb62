"""Zoho's official Python SDK for CRM API v8 (``zohocrmsdk8-0``) against the sandbox, unchanged.

The sandbox's other tests check it against our reading of Zoho's documentation; this one
checks it against code Zoho ships. The SDK parses every answer into typed objects (records,
fields, per-record results, API errors) and fails on shapes it does not expect, so if the
sandbox drifts from Zoho's wire format (a renamed key, a different status, an id of the
wrong type, a token response without ``api_domain``) one of these tests breaks.

The SDK is pointed at the sandbox through its public classes only: a ``DataCenter``
subclass gives the accounts URL (``/oauth/v2/token``) and an ``Environment`` gives the
sandbox's base URL as the API domain. Its token file and its field-metadata cache go to
pytest's ``tmp_path``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
from zohocrmsdk.src.com.zoho.api.logger import Logger
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.fields import FieldsOperations, GetFieldsParam
from zohocrmsdk.src.com.zoho.crm.api.fields import ResponseWrapper as FieldsWrapper
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.record import (
    ActionWrapper,
    APIException,
    BodyWrapper,
    GetRecordsParam,
    Record,
    RecordOperations,
    ResponseWrapper,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.users import MinifiedUser
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from tests.zoho_sandbox.crm_client import EVERY_SCOPE
from zoho_sandbox.testing import SandboxHandle


class SandboxDataCenter(DataCenter):
    """The sandbox as one more Zoho data center: one host for accounts and CRM."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def get_iam_url(self) -> str:
        return f"{self.base_url}/oauth/v2/token"

    def get_file_upload_url(self) -> str:
        return self.base_url

    def environment(self) -> DataCenter.Environment:
        return DataCenter.Environment(self.base_url, self.get_iam_url(), self.get_file_upload_url())


def initialise(sandbox: SandboxHandle, tmp_path, token: OAuthToken) -> None:
    Initializer.initialize(
        environment=SandboxDataCenter(sandbox.base_url).environment(),
        token=token,
        store=FileStore(os.fspath(tmp_path / "sdk_tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
        resource_path=os.fspath(tmp_path),
        logger=Logger.get_instance(Logger.Levels.NOTSET),
    )


@pytest.fixture
def sdk(sandbox: SandboxHandle, tmp_path) -> Iterator[SandboxHandle]:
    """The SDK initialised with a grant code of a fresh self client (every scope)."""
    client_id, client_secret = sandbox.create_client()
    code = sandbox.create_code(client_id, EVERY_SCOPE)
    token = OAuthToken(client_id=client_id, client_secret=client_secret, grant_token=code)
    initialise(sandbox, tmp_path, token)
    yield sandbox
    Initializer.initializer = None


def leads() -> RecordOperations:
    return RecordOperations("Leads")


def lead(**values) -> Record:
    record = Record()
    for api_name, value in values.items():
        record.add_key_value(api_name, value)
    return record


def body(*records: Record, duplicate_check_fields: list[str] | None = None) -> BodyWrapper:
    wrapper = BodyWrapper()
    wrapper.set_data(list(records))
    if duplicate_check_fields is not None:
        wrapper.set_duplicate_check_fields(duplicate_check_fields)
    return wrapper


def results(response) -> list:
    """The per-record results of a write, as the SDK typed them."""
    wrapper = response.get_object()
    assert isinstance(wrapper, ActionWrapper), wrapper
    return wrapper.get_data()


def only_success(response) -> SuccessResponse:
    [result] = results(response)
    assert isinstance(result, SuccessResponse), vars(result)
    assert result.get_status().get_value() == "success"
    assert result.get_code().get_value() == "SUCCESS"
    return result


def in_sandbox(sandbox: SandboxHandle, record_id: str) -> dict:
    [record] = [r for r in sandbox.records("Leads") if r["id"] == record_id]
    return record


def test_grant_code_exchange_stores_the_tokens_and_the_user(sdk, tmp_path):
    token_file = (tmp_path / "sdk_tokens.csv").read_text()
    header, row = token_file.splitlines()
    stored = dict(zip(header.split(","), row.split(","), strict=True))
    assert stored["refresh_token"].startswith("1000.")
    assert stored["access_token"].startswith("1000.")
    # The SDK names the user from GET /users?type=CurrentUser and the org from GET /org.
    org = sdk.org()
    assert stored["user_name"] == f"admin@sandbox.example:{org['zgid']}"
    assert stored["api_domain"] == sdk.base_url


def test_refresh_token_alone_is_enough(sandbox, tmp_path):
    tokens = sandbox.connect(EVERY_SCOPE)
    token = OAuthToken(
        client_id=tokens["client_id"],
        client_secret=tokens["client_secret"],
        refresh_token=tokens["refresh_token"],
    )
    try:
        initialise(sandbox, tmp_path, token)
        response = leads().get_records(fields("Last_Name"))
        assert response.get_status_code() == 204
        assert sandbox.stats()["calls"]["POST /oauth/v2/token"] == 2  # the code, the refresh
    finally:
        Initializer.initializer = None


def test_leads_field_metadata(sdk):
    sdk.add_field("Leads", "crm_to_plezi", "CRM to Plezi", "boolean")
    params = ParameterMap()
    params.add(GetFieldsParam.module, "Leads")
    response = FieldsOperations().get_fields(params)

    assert response.get_status_code() == 200
    wrapper = response.get_object()
    assert isinstance(wrapper, FieldsWrapper)
    by_name = {field.get_api_name(): field for field in wrapper.get_fields()}
    assert by_name["Last_Name"].get_data_type() == "text"
    assert by_name["Last_Name"].get_system_mandatory() is True
    assert by_name["Email"].get_data_type() == "email"
    assert by_name["Owner"].get_data_type() == "ownerlookup"
    status_values = [v.get_actual_value() for v in by_name["Lead_Status"].get_pick_list_values()]
    assert status_values[0] == "-None-" and len(status_values) > 1
    custom = by_name["crm_to_plezi"]
    assert custom.get_data_type() == "boolean"
    assert custom.get_custom_field() is True
    assert custom.get_field_label() == "CRM to Plezi"
    assert list(by_name)[-1] == "crm_to_plezi"


def fields(*api_names: str) -> ParameterMap:
    params = ParameterMap()
    params.add(GetRecordsParam.fields, ",".join(api_names))
    return params


def test_create_list_read_and_update_a_lead(sdk):
    created = leads().create_records(
        body(lead(Last_Name="Lovelace", First_Name="Ada", Email="ada@example.com"))
    )
    assert created.get_status_code() == 201
    result = only_success(created)
    assert result.get_message().get_value() == "record added"
    details = result.get_details()
    lead_id = details["id"]
    assert isinstance(lead_id, str) and len(lead_id) == 19
    assert isinstance(details["Created_By"], MinifiedUser)
    assert details["Created_By"].get_name() == "Sandbox Admin"
    assert isinstance(details["Created_Time"], datetime.datetime)
    assert in_sandbox(sdk, lead_id)["Email"] == "ada@example.com"

    listed = leads().get_records(fields("Last_Name", "Email", "Modified_Time"))
    assert listed.get_status_code() == 200
    wrapper = listed.get_object()
    assert isinstance(wrapper, ResponseWrapper)
    [record] = wrapper.get_data()
    assert str(record.get_id()) == lead_id
    assert record.get_key_value("Last_Name") == "Lovelace"
    assert record.get_key_value("Email") == "ada@example.com"
    assert isinstance(record.get_modified_time(), datetime.datetime)
    info = wrapper.get_info()
    assert info.get_count() == 1 and info.get_more_records() is False
    assert info.get_per_page() == 200 and info.get_page() == 1
    assert info.get_sort_by() == "id" and info.get_sort_order() == "desc"

    read = leads().get_record(int(lead_id))
    assert read.get_status_code() == 200
    [record] = read.get_object().get_data()
    assert record.get_key_value("First_Name") == "Ada"
    assert isinstance(record.get_key_value("Owner"), MinifiedUser)
    assert record.get_key_value("Converted__s") is False

    updated = leads().update_record(int(lead_id), body(lead(Lead_Status=Choice("Contacted"))))
    assert updated.get_status_code() == 200
    assert only_success(updated).get_message().get_value() == "record updated"
    stored = in_sandbox(sdk, lead_id)
    assert stored["Lead_Status"] == "Contacted"
    assert stored["Modified_By"]["name"] == "Sandbox Admin"
    [record] = leads().get_record(int(lead_id)).get_object().get_data()
    status = record.get_key_value("Lead_Status")
    assert isinstance(status, Choice) and status.get_value() == "Contacted"


def test_v8_page_tokens_walk_every_lead(sdk):
    sdk.seed("Leads", 5)
    params = fields("Last_Name")
    params.add(GetRecordsParam.per_page, 2)
    seen = []
    while True:
        wrapper = leads().get_records(params).get_object()
        assert isinstance(wrapper, ResponseWrapper)
        seen += [str(record.get_id()) for record in wrapper.get_data()]
        info = wrapper.get_info()
        if not info.get_more_records():
            break
        assert isinstance(info.get_page_token_expiry(), datetime.datetime)
        params = fields("Last_Name")
        params.add(GetRecordsParam.per_page, 2)
        params.add(GetRecordsParam.page_token, info.get_next_page_token())
    assert seen == sorted((r["id"] for r in sdk.records("Leads")), reverse=True)


def test_upsert_by_email_updates_the_match_and_inserts_the_rest(sdk):
    [existing] = sdk.create_records("Leads", [{"Last_Name": "Old", "Email": "ada@example.com"}])

    response = leads().upsert_records(
        body(
            lead(Last_Name="Lovelace", Email="ada@example.com"),
            lead(Last_Name="Hopper", Email="grace@example.com"),
            duplicate_check_fields=["Email"],
        )
    )
    assert response.get_status_code() == 200
    update, insert = results(response)
    assert update.get_action().get_value() == "update"
    assert update.get_duplicate_field() == "Email"
    assert update.get_details()["id"] == existing
    assert insert.get_action().get_value() == "insert"
    assert insert.get_duplicate_field() is None

    by_email = {r["Email"]: r for r in sdk.records("Leads")}
    assert by_email["ada@example.com"]["Last_Name"] == "Lovelace"
    assert by_email["grace@example.com"]["id"] == insert.get_details()["id"]
    assert len(by_email) == 2


def test_a_mixed_batch_is_207_with_zoho_error_codes(sdk):
    response = leads().create_records(body(lead(Last_Name="Ok"), lead(First_Name="No last name")))
    assert response.get_status_code() == 207
    ok, missing = results(response)
    assert isinstance(ok, SuccessResponse)
    assert isinstance(missing, APIException)
    assert missing.get_status().get_value() == "error"
    assert missing.get_code().get_value() == "MANDATORY_NOT_FOUND"
    assert missing.get_details() == {"api_name": "Last_Name"}
    assert [r["Last_Name"] for r in sdk.records("Leads")] == ["Ok"]


def test_updating_a_converted_lead_is_refused(sdk):
    [lead_id] = sdk.create_records("Leads", [{"Last_Name": "Lovelace", "Company": "AE"}])
    sdk.convert_lead(lead_id)

    response = leads().update_record(int(lead_id), body(lead(Lead_Status=Choice("Contacted"))))
    assert response.get_status_code() == 400
    [refused] = results(response)
    assert isinstance(refused, APIException)
    assert refused.get_code().get_value() == "INVALID_DATA"
    # The SDK's spec types this detail as a Long; the wire carries the id as a string.
    assert refused.get_details() == {"id": int(lead_id)}
    assert refused.get_message().get_value() == "can't update the converted record"
    assert in_sandbox(sdk, lead_id)["Lead_Status"] is None


def test_v8_list_without_fields_is_a_typed_api_error(sdk):
    response = leads().get_records()
    assert response.get_status_code() == 400
    error = response.get_object()
    assert isinstance(error, APIException)
    assert error.get_code().get_value() == "REQUIRED_PARAM_MISSING"
    assert error.get_details() == {"param_name": "fields"}
