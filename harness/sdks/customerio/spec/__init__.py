"""The Customer.io profiles, checklists and payload schemas (never imports the reference SDK in ../virtual)."""
