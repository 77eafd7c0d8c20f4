"""The ``jvm:android`` test bed's Java mirrors of the Exponea Android SDK 4.10.0 and its Flutter plugin.

``harness/devices/jvm_build.py`` compiles the ``*.java`` files under this package together with the test
bed's generic mirrors (android.*, okhttp3, okio, kotlin, io.flutter) and loads :data:`PRELOAD` when the
test bed starts, as an app has its SDK loaded before Frida attaches.
"""

__all__ = ["PRELOAD"]

# the SDK's singleton and the Flutter plugin's instance (its static LIVE plugin registers the channel)
PRELOAD = ("com.exponea.sdk.Exponea", "com.exponea.ExponeaPlugin")
