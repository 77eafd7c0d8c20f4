"""Instrumentation: Frida sessions, the agents that call SDKs inside apps, and their transports."""
