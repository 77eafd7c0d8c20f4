import pytest

from tests.virtual.ios_phone import Phone, ScriptedServer


@pytest.fixture
def server():
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture
def phone_on(server):
    """A factory: a virtual iPhone against the scripted server (closed at the end)."""
    phones: list[Phone] = []

    def make(fault: str | None = None, base_url: str | None = None) -> Phone:
        phone = Phone(base_url or server.url, fault)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()
