"""The virtual device: an app process with a reference implementation of the Exponea SDK.

This package is a second, independent implementation of the SDKs' behaviour, written from the
research notes, so that the spec model (``harness.spec``) has something real to judge. The two
packages never import each other; a test enforces it.
"""
