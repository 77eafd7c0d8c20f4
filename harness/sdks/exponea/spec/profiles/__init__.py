"""The executable models of the Exponea SDKs: android/ (4.10.0) and ios (4.0.1)."""
