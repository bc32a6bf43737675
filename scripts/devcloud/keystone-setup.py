#!/usr/bin/python3
"""Idempotent Keystone set-up of the dev cloud, after `keystone-manage bootstrap` (admin user,
admin project, admin role, identity endpoints): the `service` project, one user per service with
the admin and `service` roles in it (`trove` among them), every service's endpoints in RegionOne,
and a tenant: project `demo` with user `demo` (member role), who creates database instances.

Plain REST in one process: much faster than one `openstack` command per object.
"""
import sys

from keystone_rest import KeystoneAdmin

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


def main():
    ks = KeystoneAdmin(ADMIN_PASSWORD, "keystone-setup")
    call, find, ensure = ks.call, ks.find, ks.ensure

    admin_role = find("roles", name="admin")[0]["id"]
    member_role = find("roles", name="member")[0]["id"]
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
            call("PUT", f"/projects/{service_project}/users/{users[user]}/roles/{role}")
    demo_project = ensure("projects", "project", {"name": "demo", "domain_id": "default"},
                          {"name": "demo", "domain_id": "default",
                           "description": "dev cloud tenant: creates database instances"})
    demo_user = ensure("users", "user", {"name": "demo", "domain_id": "default"},
                       {"name": "demo", "domain_id": "default", "password": "devcloud-demo"})
    call("PUT", f"/projects/{demo_project}/users/{demo_user}/roles/{member_role}")
    for _, name, stype, url in SERVICES:
        sid = ensure("services", "service", {"type": stype, "name": name},
                     {"name": name, "type": stype, "enabled": True})
        ks.ensure_endpoints(sid, REGION, lambda _interface, url=url: url)
    print(f"keystone: project service={service_project}, users {', '.join(sorted(users))}, "
          f"tenant demo={demo_project}, "
          f"{len(SERVICES)} services with endpoints in {REGION}")


if __name__ == "__main__":
    main()
