"""The ``jvm:android`` test bed's Java mirror of the Antsomi CDP365 Flutter plugin (the ``antsomisdk`` channel).

Antsomi publishes no plugin source (research other-sdks.md Part B), so the mirror's class name is the
test bed's own; only the channel name and method names come from the research (B2). It stands for
"some plugin whose classes the harness does not know": the generic Flutter agent (``_flutter.js``) must
find it by channel name alone. It records each call's arguments (types and values, in the test bed's
trace), then hands each call to a STAND-IN native SDK (``com/antsomi/standin``) that forwards it to the
virtual app's stand-in reference SDK, as every mirror SDK of the bed does: the getters answer its values,
and its HTTP leaves through the bed's OkHttp. Registered as the plug-in's ``Sdk.testbed``, so
``harness run scenarios/antsomi --device jvm:android --agent flutter`` drives it.
"""

__all__ = ["PRELOAD"]

# the plugin's class load adds it to the test bed's Flutter engine (the `antsomisdk` channel)
PRELOAD = ("com.antsomi.antsomisdk.AntsomiSdkPlugin",)
