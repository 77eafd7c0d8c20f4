"""How the harness points the Exponea (Bloomreach Engagement) SDK at the collector.

A scenario leaves the project's base URL out; the runner and the pytest fixture call :func:`connect`
for every call, which fills the collector's URL into ``init``'s configuration (with the harness's
project token and authorization as defaults) and into the projects ``anonymize`` switches to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_PROJECT", "connect"]

DEFAULT_PROJECT = {"projectToken": "harness-token", "authorization": "Token harness-key"}


def _with_base_url(project: Any, base_url: str) -> Any:
    if isinstance(project, Mapping) and "baseUrl" not in project:
        return {"baseUrl": base_url, **project}
    return project


def _fill_route_map(route_map: Any, base_url: str) -> Any:
    if not isinstance(route_map, Mapping):
        return route_map
    return {k: [_with_base_url(p, base_url) for p in v] if isinstance(v, list) else v for k, v in route_map.items()}


def connect(name: str, args: Mapping[str, Any], base_url: str) -> Mapping[str, Any]:
    """The collector's URL wherever a scenario leaves a project's base URL out (init, anonymize)."""
    if name == "init":
        config = {**DEFAULT_PROJECT, "baseURL": base_url, **dict(args.get("configuration") or {})}
        if isinstance(config["baseURL"], str):  # "{collector}/" tests the trailing-slash rule (ios#6)
            config["baseURL"] = config["baseURL"].replace("{collector}", base_url)
        if "projectRouteMap" in config:
            config["projectRouteMap"] = _fill_route_map(config["projectRouteMap"], base_url)
        return {**args, "configuration": config}
    if name == "anonymize":
        out = dict(args)
        if out.get("exponeaProject") is not None:
            out["exponeaProject"] = _with_base_url(out["exponeaProject"], base_url)
        if out.get("projectRouteMap") is not None:
            out["projectRouteMap"] = _fill_route_map(out["projectRouteMap"], base_url)
        return out
    return args
