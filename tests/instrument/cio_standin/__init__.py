"""A stand-in plug-in for the Customer.io agents' bed tests: the real agents, test-bed mirrors and
(cio-spec's) registration shape, with a reference SDK that accepts the canonical calls and answers
what it was asked (the test reads the RPC trace). Registered only by tests/instrument/test_customerio_agents.py,
under its own name, so it never shadows the real ``customerio`` registration."""

from harness.sdk.base import Sdk
from harness.sdks.customerio import SDK as CUSTOMERIO

SDK = Sdk(
    name="cio_standin",
    title="Customer.io agents stand-in (tests only)",
    versions={"android": ("4.19.0",)},
    routes="tests.instrument.cio_standin:ROUTES",
    decoder="tests.instrument.cio_standin:decode",
    calls="tests.instrument.cio_standin:CALLS",
    profiles={"android": "tests.instrument.cio_standin:Profile"},
    reference={"android": "tests.instrument.cio_standin.reference:Reference"},
    faults="tests.toy_sdk.faults",
    agents=CUSTOMERIO.agents,  # the real plug-in's agent files, in its order
    agent_package="harness.sdks.customerio",
    testbed="harness.sdks.customerio.testbed",
)
