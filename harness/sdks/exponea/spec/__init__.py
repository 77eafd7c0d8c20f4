"""The Exponea profiles and payload schemas (never imports the reference SDK in ../virtual)."""
