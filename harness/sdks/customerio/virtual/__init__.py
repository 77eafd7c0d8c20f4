"""The reference Customer.io Android SDK 4.19.0 for the virtual app (independent of ``../spec``)."""
