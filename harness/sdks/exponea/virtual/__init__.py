"""The Exponea reference SDKs for the virtual app (never imports the profiles in ../spec)."""
