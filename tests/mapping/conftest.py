import pytest

from mapping.services import zoho_fields_store
from tests.mapping.zoho_meta import fetch_fields


@pytest.fixture
def connect(sandbox, workspace):
    """Read Zoho's fields from the live sandbox and store them, as the integration does."""

    def store(*modules: str, target=None) -> None:
        for module in modules or ("Leads", "Contacts"):
            fields = fetch_fields(sandbox, module)
            zoho_fields_store(workspace=target or workspace, module=module, fields=fields)

    return store
