"""Which Exponea iOS SDK release the reference app plays, and what that changes.

The reference SDK is 4.0.1; ``--sdk-version 3.11.0`` plays the release under Flutter plugin 2.5.0
(and 4.0.0, whose code differs from 4.0.1 only by a CocoaPods compile fix). Read from
exponea/exponea-ios-sdk at the tags (``SDK/`` = ``ExponeaSDK/ExponeaSDK/``, ``SHR/`` =
``ExponeaSDK/ExponeaSDKShared/``), independently of the spec profile:

- ``Exponea.version`` (``SHR/Classes/Exponea.swift:12``) is the ``sdk_version`` device property;
- 3.11.0's ``stopIntegration()`` (``SDK/Classes/ExponeaInternal.swift:610-632@3.11.0``) marks the
  SDK stopped and wipes the database at once: no final events, no flush;
- 3.11.0's ``RequestFactory.process`` (``SHR/Classes/Repository/RequestFactory.swift:201-221@3.11.0``)
  has no case for 402 and 403, so both count as success; 4.0.1 retries a 403 (``:392-401@4.0.1``);
- 3.11.0 stores ``authorizationString`` in every row when it is tracked
  (``SDK/Classes/Database/DatabaseManager.swift:325-327, 384-386@3.11.0``) and sends it, the current
  authorization only standing in for ``.none`` (``SDK/Classes/Models/Core Data/TrackEvent.swift:113-133@3.11.0``);
  4.0.1 sends the current main project's (``SDK/Classes/Flushing/FlushingManager.swift:340-356@4.0.1``);
- 3.11.0 has no stream integration: its configuration decoder requires ``projectToken``
  (``SHR/Classes/Configuration.swift:164-170@3.11.0``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_VERSION", "VERSIONS", "Release", "release"]

VERSIONS = ("3.11.0", "4.0.0", "4.0.1")
DEFAULT_VERSION = "4.0.1"


@dataclass(frozen=True)
class Release:
    version: str
    has_streams: bool
    stop_sends_final_events: bool
    successful_4xx: frozenset[int]
    stores_row_authorization: bool


def release(version: str) -> Release:
    """The behaviour of one played release; ``ValueError`` for one the reference SDK does not play."""
    if version not in VERSIONS:
        raise ValueError(f"the virtual iOS SDK plays {', '.join(VERSIONS)}, not {version!r}")
    old = version == "3.11.0"
    return Release(
        version=version,
        has_streams=not old,
        stop_sends_final_events=not old,
        successful_4xx=frozenset({402, 403} if old else {402}),
        stores_row_authorization=old,
    )
