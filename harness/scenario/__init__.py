"""Scenarios: the YAML format, its loader, and the runner that plays them on a device."""
