"""The reference Exponea iOS SDK 4.0.1 (research ``ios-sdk-spec.md``), run inside the virtual app."""
