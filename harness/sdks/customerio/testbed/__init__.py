"""The ``jvm:android`` test bed's Java mirrors of the Customer.io Android SDK 4.19.0 and its Flutter plugin.

Only ``.java`` files live here (``harness.devices.jvm_build`` compiles them with the generic bed, found
through ``Sdk.testbed``); each mirror forwards the canonical call to the virtual app's reference SDK.
"""
