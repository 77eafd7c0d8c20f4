"""The STAND-IN Antsomi SDK for the virtual app (not the real SDK's wire: see ``android.py``)."""
