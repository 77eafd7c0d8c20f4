"""Vendor wire formats turned into normalized observations (see ``observation.py``)."""
