"""Keystone's v3 REST API as the dev cloud's admin, for its idempotent set-up scripts
(keystone-setup.py, swift-keystone.py): one token, and find/ensure by name. Debian's python3 and
its standard library only.
"""
import json
import sys
import urllib.error
import urllib.request

KEYSTONE = "http://127.0.0.1:5000/v3"


class KeystoneAdmin:
    """Logged in as admin in project admin; every failed call ends the program with its answer."""

    def __init__(self, password, who):
        self.who = who
        self.token = None
        resp, _ = self.call("POST", "/auth/tokens", body={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
        self.token = resp.headers["X-Subject-Token"]

    def call(self, method, path, body=None, ok404=False):
        """(response, parsed JSON or None); (None, None) for a 404 when ok404."""
        req = urllib.request.Request(KEYSTONE + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("X-Auth-Token", self.token)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                data = resp.read()
                return resp, (json.loads(data) if data else None)
        except urllib.error.HTTPError as e:
            if ok404 and e.code == 404:
                return None, None
            sys.exit(f"{self.who}: {method} {path}: {e.code} {e.read().decode(errors='replace')}")

    def find(self, collection, **filters):
        query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in filters.items())
        return self.call("GET", f"/{collection}?{query}")[1][collection]

    def ensure(self, collection, singular, filters, attrs):
        """The id of the first object matching filters, created with attrs if there is none."""
        found = self.find(collection, **filters)
        if found:
            return found[0]["id"]
        return self.call("POST", f"/{collection}", {singular: attrs})[1][singular]["id"]

    def ensure_endpoints(self, service_id, region, url_of):
        """public, internal and admin endpoints of a service in region; url_of(interface) -> URL."""
        have = {e["interface"] for e in self.find("endpoints", service_id=service_id)
                if e.get("region_id") == region}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                self.call("POST", "/endpoints", {"endpoint": {
                    "service_id": service_id, "interface": interface, "url": url_of(interface),
                    "region_id": region, "enabled": True}})
