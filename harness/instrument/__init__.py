"""Reaching the SDK inside the app: the canonical call vocabulary, its typed facade, Frida sessions,
the agents that call SDKs inside apps, and their transports."""
