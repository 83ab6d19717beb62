"""Fixtures shared by the whole suite.

Every test that touches a workspace gets the same cast: an admin (`owner`) and
a plain `member` of workspace A, and an `outsider` who belongs to workspace B.
"""

import pytest
from django.test import Client

from accounts.models import Membership
from accounts.services import membership_grant, user_ensure, workspace_create

pytest_plugins = ["tests.sandbox_fixtures", "tests.helpers.zoho"]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def workspace(db):
    return workspace_create(slug="acme", name="Acme")[0]


@pytest.fixture
def other_workspace(db):
    return workspace_create(slug="globex", name="Globex")[0]


def _member(workspace, email, role):
    user, _ = user_ensure(email=email, password=PASSWORD)
    membership_grant(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def owner(workspace):
    return _member(workspace, "owner@acme.test", Membership.Role.ADMIN)


@pytest.fixture
def member(workspace):
    return _member(workspace, "member@acme.test", Membership.Role.MEMBER)


@pytest.fixture
def outsider(other_workspace):
    return _member(other_workspace, "outsider@globex.test", Membership.Role.ADMIN)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)
