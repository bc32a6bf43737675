#!/usr/bin/python3
"""Swift's part of the dev cloud's Keystone, idempotent (scripts/devcloud/swift.sh up): the swift
service user and the object-store endpoints, the state user and project, and one EC2 credential of
state's in project state, written to EC2_FILE as `export AWS_...=` lines (mode 0600). A credential
that Keystone no longer has (the dev cloud was reset) is replaced.

    swift-keystone.py ADMIN_PASSWORD EC2_FILE REGION PROXY_URL
"""
import os
import sys

from keystone_rest import KeystoneAdmin

password, ec2_file, region, proxy = sys.argv[1:5]
ks = KeystoneAdmin(password, "swift keystone set-up")
call, find, ensure = ks.call, ks.find, ks.ensure


def role(name):
    return ensure("roles", "role", {"name": name}, {"name": name})


admin, member, service = role("admin"), role("member"), role("service")
service_project = ensure("projects", "project", {"name": "service", "domain_id": "default"},
                         {"name": "service", "domain_id": "default"})
swift_user = ensure("users", "user", {"name": "swift", "domain_id": "default"},
                    {"name": "swift", "domain_id": "default", "password": "devcloud-swift"})
for r in (admin, service):
    call("PUT", f"/projects/{service_project}/users/{swift_user}/roles/{r}")
sid = ensure("services", "service", {"type": "object-store", "name": "swift"},
             {"name": "swift", "type": "object-store", "enabled": True})
ks.ensure_endpoints(sid, region,
                    lambda interface: f"{proxy}/v1" if interface == "admin" else f"{proxy}/v1/AUTH_%(project_id)s")

state_project = ensure("projects", "project", {"name": "state", "domain_id": "default"},
                       {"name": "state", "domain_id": "default",
                        "description": "dev cloud: the Pulumi state buckets (Swift over S3)"})
state_user = ensure("users", "user", {"name": "state", "domain_id": "default"},
                    {"name": "state", "domain_id": "default", "password": "devcloud-state"})
call("PUT", f"/projects/{state_project}/users/{state_user}/roles/{member}")

current = {}
if os.path.exists(ec2_file):
    for line in open(ec2_file):
        if line.startswith("export ") and "=" in line:
            k, v = line[len("export "):].strip().split("=", 1)
            current[k] = v
access = current.get("AWS_ACCESS_KEY_ID")
_, found = (call("GET", f"/users/{state_user}/credentials/OS-EC2/{access}", ok404=True)
            if access else (None, None))
if found and found["credential"]["tenant_id"] == state_project:
    cred = found["credential"]
    print(f"keystone: EC2 credential {cred['access']} of state kept")
else:
    cred = call("POST", f"/users/{state_user}/credentials/OS-EC2",
                {"tenant_id": state_project})[1]["credential"]
    print(f"keystone: EC2 credential {cred['access']} of state created")
old = os.umask(0o077)
with open(ec2_file + ".tmp", "w") as f:
    f.write(f"export AWS_ACCESS_KEY_ID={cred['access']}\n"
            f"export AWS_SECRET_ACCESS_KEY={cred['secret']}\n")
os.umask(old)
os.replace(ec2_file + ".tmp", ec2_file)
print(f"keystone: swift (service user), object-store endpoints in {region}, "
      f"project state={state_project} with user state")
