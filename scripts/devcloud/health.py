#!/usr/bin/python3
"""Health of the dev cloud's APIs.

  health.py [--wait SECONDS] [--auth PASSWORD] [--quiet] [service ...]

Each API answers its version document without a token (port up, app loaded). With --auth, an
admin token is taken from Keystone and one authenticated read is made against each API through the
catalog (so keystonemiddleware, the service user, the endpoints and the database work too).
--wait retries until every check passes or the time runs out. Exit status 0 only when all pass.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request

ROOTS = {
    "keystone": "http://127.0.0.1:5000/v3",
    "placement": "http://127.0.0.1:8778/",
    "neutron": "http://127.0.0.1:9696/",
    "nova": "http://127.0.0.1:8774/",
    "glance": "http://127.0.0.1:9292/versions",
    "cinder": "http://127.0.0.1:8776/",
    "trove": "http://127.0.0.1:8779/",
}
AUTHED = {
    # service: (catalog type, path, extra headers)
    "keystone": ("identity", "/projects?name=service", {}),
    "placement": ("placement", "/resource_providers", {"OpenStack-API-Version": "placement 1.0"}),
    "neutron": ("network", "/v2.0/networks", {}),
    "nova": ("compute", "/os-keypairs", {}),
    "glance": ("image", "/v2/images", {}),
    "cinder": ("volumev3", "/types", {}),
    "trove": ("database", "/datastores", {}),
}


def get(url, headers=None, body=None, timeout=10):
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except Exception as e:  # connection refused, reset, timeout
        return None, None, str(e).encode()


def login(password):
    body = json.dumps({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
    status, headers, data = get("http://127.0.0.1:5000/v3/auth/tokens",
                                {"Content-Type": "application/json"}, body)
    if status != 201:
        return None, None, None
    token = json.loads(data)["token"]
    return headers["X-Subject-Token"], token["project"]["id"], token.get("catalog", [])


def endpoint(catalog, stype, project):
    for entry in catalog:
        if entry["type"] == stype:
            for e in entry["endpoints"]:
                if e["interface"] == "public":
                    return (e["url"].replace("%(project_id)s", project)
                            .replace("%(tenant_id)s", project).rstrip("/"))
    return None


def check(services, password):
    results = {}
    for s in services:
        t = time.monotonic()
        status, _, data = get(ROOTS[s])
        ok = status is not None and status < 500
        results[s] = [ok, f"{status or 'down'}", (time.monotonic() - t) * 1000,
                      "" if ok else data[:200].decode(errors="replace")]
    if password and all(r[0] for r in results.values()):
        token, project, catalog = login(password)
        for s in services:
            if not token:
                results[s][0:2] = [False, results[s][1] + "/no token"]
                continue
            stype, path, extra = AUTHED[s]
            base = endpoint(catalog, stype, project)
            if not base:
                results[s][0:2] = [False, results[s][1] + f"/no {stype} endpoint"]
                continue
            t = time.monotonic()
            status, _, data = get(base + path, {"X-Auth-Token": token, "Accept": "application/json", **extra})
            ok = status is not None and 200 <= status < 300
            results[s][0] = ok
            results[s][1] += f", auth {status or 'down'}"
            results[s][2] += (time.monotonic() - t) * 1000
            if not ok:
                results[s][3] = data[:300].decode(errors="replace")
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wait", type=float, default=0)
    p.add_argument("--auth", metavar="ADMIN_PASSWORD")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("services", nargs="*")
    a = p.parse_args()
    services = a.services or list(ROOTS)
    deadline = time.monotonic() + a.wait
    while True:
        results = check(services, a.auth)
        if all(r[0] for r in results.values()) or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if not a.quiet:
        for s, (ok, status, ms, err) in results.items():
            print(f"  {s:<10} {'ok  ' if ok else 'FAIL'} {status:<14} {ms:6.0f} ms  {ROOTS[s]}"
                  + (f"\n             {err}" if err else ""))
    sys.exit(0 if all(r[0] for r in results.values()) else 1)


if __name__ == "__main__":
    main()
