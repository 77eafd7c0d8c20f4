"""engagement-harness: a device bridge and conformance harness for the Bloomreach Engagement SDKs."""
