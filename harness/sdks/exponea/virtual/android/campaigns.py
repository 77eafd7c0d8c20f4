"""Campaign data and deep-link campaign clicks (``CampaignData``, ``CampaignManagerImpl``).

Campaign data comes from a deep link's query (``utm_*``, ``xnpe_cmp``) or from a push's
``url_params`` JSON. It is stored with ``createdAt`` so that a ``session_start`` within
``campaignTTL`` carries it (android#42, android#48); the session start clears it. A deep link with a
non-empty ``xnpe_cmp`` also sends ``POST .../campaigns/clicks`` (android#47), whose wire body the
flusher reduces to ``{url, timestamp, properties: {platform: "Android"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from harness.sdks.exponea.virtual.android.sdk import AndroidSdk

__all__ = ["UTM_KEYS", "Campaigns", "campaign_from_kotlin", "campaign_from_query", "tracking_data"]

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "xnpe_cmp")
# CampaignData's Kotlin field names (as a NotificationData's ``campaignData`` arrives over RPC).
_KOTLIN = {
    "source": "utm_source",
    "medium": "utm_medium",
    "campaign": "utm_campaign",
    "content": "utm_content",
    "term": "utm_term",
    "payload": "xnpe_cmp",
}


def campaign_from_query(url: str | None, query: Mapping[str, Any]) -> dict[str, Any]:
    """CampaignData as stored: the utm values, ``xnpe_cmp`` and the complete URL (deep links only)."""
    data: dict[str, Any] = {k: str(query[k]) for k in UTM_KEYS if query.get(k) is not None}
    if url is not None:
        data["completeUrl"] = url
    return data


def campaign_from_kotlin(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """CampaignData given by its Kotlin field names (or already by utm names)."""
    data: dict[str, Any] = {}
    for key, item in (value or {}).items():
        if item is None:
            continue
        if key in _KOTLIN:
            data[_KOTLIN[key]] = str(item)
        elif key in UTM_KEYS or key == "completeUrl":
            data[key] = str(item)
    return data


def tracking_data(campaign: Mapping[str, Any]) -> dict[str, Any]:
    """``CampaignData.getTrackingData()``: url/location (deep links) and utm_*/xnpe_cmp, nulls removed."""
    out: dict[str, Any] = {}
    if campaign.get("completeUrl"):
        out["url"] = campaign["completeUrl"]
        out["location"] = campaign["completeUrl"]
    out.update({k: campaign[k] for k in UTM_KEYS if campaign.get(k) is not None})
    return out


class Campaigns:
    """The campaign repository (one stored CampaignData) and ``handleCampaignIntent``."""

    def __init__(self, sdk: AndroidSdk) -> None:
        self.sdk = sdk

    def store(self, campaign: Mapping[str, Any]) -> None:
        self.sdk.prefs.set(campaign={**campaign, "createdAt": self.sdk.clock.now()})

    def for_session_start(self) -> dict[str, Any]:
        """Tracking data of a campaign stored less than ``campaignTTL`` ago, else nothing (android#48)."""
        if "campaign-session-no-utm" in self.sdk.faults:
            return {}
        campaign = self.sdk.prefs.get("campaign")
        if not campaign:
            return {}
        age = self.sdk.clock.now() - float(campaign.get("createdAt", 0.0))
        if age >= float(self.sdk.config["campaignTTL"]):
            return {}
        return tracking_data(campaign)

    def clear(self) -> None:
        self.sdk.prefs.remove("campaign")

    def handle_intent(self, url: str | None) -> bool:
        """``handleCampaignIntent(Intent(ACTION_VIEW, url))``: store the campaign, maybe send a click."""
        if not url or not urlsplit(url).scheme.strip():
            return False
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        campaign = campaign_from_query(url, query)
        self.store(campaign)
        has_cmp = bool(campaign.get("xnpe_cmp"))
        if not has_cmp and "campaign-click-without-cmp" not in self.sdk.faults:
            return True  # android#48: no click request, the session_start still gets the utm values
        if not self.sdk.can_track_now():
            return True
        now = self.sdk.clock.now()
        props: dict[str, Any] = {"platform": "Android", "timestamp": now}
        props.update(tracking_data(campaign))
        self.sdk.track("CAMPAIGN_CLICK", "campaign", props, now)
        return True
