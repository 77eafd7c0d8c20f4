"""Reaching the SDK inside the app: the canonical call vocabulary and its typed facade."""
