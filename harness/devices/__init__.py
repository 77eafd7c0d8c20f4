"""Device drivers: one module per kind of device (see base.py for the contract)."""
