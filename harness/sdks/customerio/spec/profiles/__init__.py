"""The executable models of the Customer.io SDKs: android/ (4.19.0)."""
