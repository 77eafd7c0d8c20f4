"""The virtual device: an app process running the reference implementation of an SDK plug-in.

This package is a second, independent implementation of the SDKs' behaviour, written from the
research notes, so that the spec model (``harness.spec``) has something real to judge. The two
packages never import each other; a test enforces it.
"""
