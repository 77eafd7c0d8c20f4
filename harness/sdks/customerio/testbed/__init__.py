"""The ``jvm:android`` test bed's Java mirrors of the Customer.io Android SDK 4.19.0 and its Flutter plugin.

Only ``.java`` files live here (``harness.devices.jvm_build`` compiles them with the generic bed, found
through ``Sdk.testbed``); each mirror forwards the canonical call to the virtual app's reference SDK.
"""

__all__ = ["PRELOAD"]

# the Flutter plugin's instance: its class load adds it to the test bed's engine (the `customer_io` channel)
PRELOAD = ("io.customer.customer_io.CustomerIOPlugin",)
