#!/usr/bin/python3
"""Idempotent Keystone set-up of the dev cloud, after `keystone-manage bootstrap` (admin user,
admin project, admin role, identity endpoints): the `service` project, one user per service with
the admin and `service` roles in it (`trove` among them), every service's endpoints in RegionOne,
and a tenant: project `demo` with user `demo` (member role), who creates database instances.

Plain REST in one process: much faster than one `openstack` command per object.
"""
import json
import sys
import urllib.error
import urllib.request

KEYSTONE = "http://127.0.0.1:5000/v3"
REGION = "RegionOne"
ADMIN_PASSWORD = sys.argv[1] if len(sys.argv) > 1 else "devcloud-admin"

SERVICES = [
    # (user, service name, type, URL)
    ("placement", "placement", "placement", "http://127.0.0.1:8778"),
    ("glance", "glance", "image", "http://127.0.0.1:9292"),
    ("nova", "nova", "compute", "http://127.0.0.1:8774/v2.1"),
    ("neutron", "neutron", "network", "http://127.0.0.1:9696"),
    ("cinder", "cinderv3", "volumev3", "http://127.0.0.1:8776/v3/%(project_id)s"),
    ("cinder", "cinder", "block-storage", "http://127.0.0.1:8776/v3/%(project_id)s"),
    ("trove", "trove", "database", "http://127.0.0.1:8779/v1.0/%(tenant_id)s"),
]


def call(method, path, token=None, body=None):
    req = urllib.request.Request(KEYSTONE + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            data = resp.read()
            return resp, (json.loads(data) if data else None)
    except urllib.error.HTTPError as e:
        sys.exit(f"keystone-setup: {method} {path}: {e.code} {e.read().decode(errors='replace')}")


def main():
    resp, _ = call("POST", "/auth/tokens", body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    token = resp.headers["X-Subject-Token"]

    def find(collection, key, **filters):
        query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in filters.items())
        _, body = call("GET", f"/{collection}?{query}", token)
        return body[key]

    def ensure(collection, singular, filters, attrs):
        found = find(collection, collection, **filters)
        if found:
            return found[0]["id"]
        _, body = call("POST", f"/{collection}", token, {singular: attrs})
        return body[singular]["id"]

    admin_role = find("roles", "roles", name="admin")[0]["id"]
    member_role = find("roles", "roles", name="member")[0]["id"]
    # keystonemiddleware sends the caller's token as X-Service-Token too; with
    # service_token_roles_required the receiving service wants the `service` role on it (Nova
    # calling Neutron for Trove's servers fails with NeutronAdminCredentialConfigurationInvalid).
    service_role = ensure("roles", "role", {"name": "service"}, {"name": "service"})
    service_project = ensure("projects", "project", {"name": "service", "domain_id": "default"},
                             {"name": "service", "domain_id": "default",
                              "description": "dev cloud service project"})
    users = {}
    for user in sorted({s[0] for s in SERVICES}):
        users[user] = ensure("users", "user", {"name": user, "domain_id": "default"},
                             {"name": user, "domain_id": "default", "password": f"devcloud-{user}"})
        for role in (admin_role, service_role):
            call("PUT", f"/projects/{service_project}/users/{users[user]}/roles/{role}", token)
    demo_project = ensure("projects", "project", {"name": "demo", "domain_id": "default"},
                          {"name": "demo", "domain_id": "default",
                           "description": "dev cloud tenant: creates database instances"})
    demo_user = ensure("users", "user", {"name": "demo", "domain_id": "default"},
                       {"name": "demo", "domain_id": "default", "password": "devcloud-demo"})
    call("PUT", f"/projects/{demo_project}/users/{demo_user}/roles/{member_role}", token)
    for _, name, stype, url in SERVICES:
        sid = ensure("services", "service", {"type": stype, "name": name},
                     {"name": name, "type": stype, "enabled": True})
        have = {e["interface"] for e in find("endpoints", "endpoints", service_id=sid)
                if e.get("region_id") == REGION}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                call("POST", "/endpoints", token, {"endpoint": {
                    "service_id": sid, "interface": interface, "url": url,
                    "region_id": REGION, "enabled": True}})
    print(f"keystone: project service={service_project}, users {', '.join(sorted(users))}, "
          f"tenant demo={demo_project}, "
          f"{len(SERVICES)} services with endpoints in {REGION}")


if __name__ == "__main__":
    main()
