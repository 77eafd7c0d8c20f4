"""The SDK plug-ins that ship with the harness, one package per vendor (see ``harness/sdk`` for the contract)."""
