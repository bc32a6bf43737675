#!/usr/bin/python3
"""The guest harness: cloud-init and a guest image for a Nova server that does not boot.

The dev cloud's Nova runs the fake virt driver: a server goes ACTIVE and nothing boots. This does
what cloud-init and Trove's guest image would do, on this host, in namespaces of its own, and runs
the real Trove guest agent there.

    guest.py start --server ID [--state-dir DIR] [--venv DIR] [--forward PORT ...] [--user-data-file F]
    guest.py stop  --server ID | --all
    guest.py exec  --server ID -- CMD ...

See README.md beside this file. Stdlib only, for Debian's /usr/bin/python3 (plus python3-yaml, which
Debian's OpenStack packages bring along).
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FORWARD = os.path.join(HERE, "forward.py")
PY = "/usr/bin/python3"
TROVE_VENV_SH = os.path.join(REPO, "scripts", "devcloud", "trove-venv.sh")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Inside the mount namespace the guest sees these guest paths as directories of the state dir
# (bind mounts), so the host can read what the agent writes and the host's own paths stay untouched.
BIND_DIRS = {
    "/etc/trove": "etc/trove",
    "/etc/docker": "etc/docker",                    # the injected daemon.json lands here
    "/etc/mysql": "etc/mysql",
    "/opt/trove-guestagent": "opt/trove-guestagent",  # prepare writes .guestagent.prepare.start here
    "/var/log/trove": "log/trove",
    "/var/lib/mysqld": "var/lib/mysqld",            # host side of the container's /var/run/mysqld
    "/run/mysqld": "run/mysqld",
    "/run/docker": "docker/exec",                   # dockerd's exec root: a short path (socket limits)
    "/tmp": "tmp",
}
# Copies with the database user added: the agent runs groupadd/useradd, which then find it.
BIND_FILES = {"/etc/passwd": "etc/passwd", "/etc/group": "etc/group"}
# The guest shares the host's root file system. Anything the agent or its dockerd writes under these
# trees that is not one of the binds above (dockerd creates missing bind-mount sources, the agent
# writes /var/log/mysqld.log, mount points must exist before a bind) goes to a copy-on-write overlay
# whose upper layer is in the state dir. /run gets a private tmpfs instead: the host's sockets
# there (a system containerd, a docker.sock) must not be visible to the guest's dockerd.
OVERLAY_TREES = ("/etc", "/var", "/opt")
GUEST_DOCKER_SOCK = "/run/docker.sock"
# What start starts, in order (stop goes the other way, agent first).
PROCESS_ORDER = ("holder", "forward-host", "forward-guest", "dockerd", "agent")
GUEST_DOCKER_HOST = "unix://" + GUEST_DOCKER_SOCK
# How the guest image starts its agent (guest-agent.service: ExecStart=... --config-dir=...).
AGENT_CONFIG_DIR = "/etc/trove/conf.d"
UNIX_PATH_MAX = 107
# The guest's own namespaces. Network and mount are what make it a guest; IPC because Trove runs
# the database container with ipc_mode=host (the guest's IPC, not the host's), UTS so nothing that
# sets a host name reaches the host's.
NAMESPACE_FLAGS = ("--net", "--mount", "--ipc", "--uts")


class GuestError(Exception):
    pass


def say(msg):
    print(f"guest: {msg}", flush=True)


def warn(msg):
    print(f"guest: warning: {msg}", file=sys.stderr, flush=True)


# --- state dir -----------------------------------------------------------------------------------

def check_server_id(server_id):
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", server_id or ""):
        raise GuestError(f"{server_id!r} is not a server id")
    return server_id


def guests_root():
    """$DEVCLOUD_DIR/guests, unless the dev cloud lives under a tree the guest sees privately (a
    clone in /tmp, say): then a directory of this user's cache, named after the dev cloud, so that
    every guest of it is still found by `stop --all` and the state dir is visible inside."""
    base = os.path.realpath(os.environ.get("DEVCLOUD_DIR") or os.path.join(REPO, ".devcloud"))
    root = os.path.join(base, "guests")
    if not is_private(root):
        return root
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "trove-region", "guests", hashlib.sha256(base.encode()).hexdigest()[:12])


def state_dir_for(server_id, given=None):
    return os.path.realpath(given or os.path.join(guests_root(), check_server_id(server_id)))


def check_state_dir_location(state):
    """The state dir must be visible unchanged inside the namespace: not under a tree the guest
    gets a private copy of, and short enough for the unix sockets it holds."""
    for tree in OVERLAY_TREES + ("/run", "/tmp"):
        if state == tree or state.startswith(tree + "/"):
            raise GuestError(f"state dir {state} is under {tree}, which the guest sees privately; pick another")
    longest = os.path.join(state, "fwd", "65535.sock")
    if len(longest) > UNIX_PATH_MAX:
        raise GuestError(f"state dir {state} is too long for unix socket paths ({len(longest)} > {UNIX_PATH_MAX})")


def sp(state, *parts):
    return os.path.join(state, *parts)


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


# --- processes -----------------------------------------------------------------------------------
# Every process is started in a session of its own (its pid is its process group) and recorded with
# its start time, so a recorded pid that the kernel has since given to someone else is never signalled.

def start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime


def reap_children():
    """Collect our own exited children: a zombie still counts as a member of its group."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def group_exists(pgid):
    """A live (not zombie) process is in process group pgid."""
    reap_children()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp
            return True
    return False


def group_is_ours(rec):
    """The recorded leader still runs (same start time), or it exited and members of its group are
    left: a group id cannot be reused while the group has members."""
    if not rec:
        return False
    now = start_time(rec["pid"])
    if now is not None:
        return now == rec["start"]
    return group_exists(rec["pid"])


def alive(rec):
    """The recorded process itself still runs (not a zombie, not a reused pid)."""
    return bool(rec) and start_time(rec["pid"]) == rec["start"] and proc_state(rec["pid"]) != "Z"


def spawn(state, name, argv, env=None):
    """Start argv in a new session, output to log/<name>.log; record it in pids.json."""
    log = open(sp(state, "log", f"{name}.log"), "ab")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, close_fds=True, cwd="/", env=env or base_env())
    finally:
        log.close()
    st = None
    for _ in range(100):  # /proc/<pid>/stat appears with the fork
        st = start_time(p.pid)
        if st is not None:
            break
        time.sleep(0.01)
    pids = read_json(sp(state, "pids.json"), {})
    pids[name] = {"pid": p.pid, "start": st, "argv": argv}
    write_json(sp(state, "pids.json"), pids)
    return p


def base_env(**extra):
    env = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/root")}
    env.update(extra)
    return env


def in_guest(holder_pid, argv, wd="/"):
    """argv run inside the guest's namespaces (nsenter execs, so the pid is argv's)."""
    return ["nsenter", f"--target={holder_pid}", *NAMESPACE_FLAGS, f"--wd={wd}", "--"] + list(argv)


def stop_groups(recs, timeout, label):
    """TERM each of our groups, wait up to timeout, then KILL what is left."""
    recs = [r for r in recs if group_is_ours(r)]
    for r in recs:
        try:
            os.killpg(r["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while any(group_exists(r["pid"]) for r in recs) and time.monotonic() < deadline:
        time.sleep(0.1)
    for r in recs:
        if group_exists(r["pid"]):
            warn(f"{label}: process group {r['pid']} did not stop on TERM within {timeout} s: KILL")
            try:
                os.killpg(r["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_for(what, predicate, timeout, failed=None, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if failed and failed():
            raise GuestError(f"{what}: the process exited")
        time.sleep(interval)
    if predicate():
        return
    raise GuestError(f"{what}: not ready after {timeout} s")


def log_tail(state, name, lines=25):
    try:
        with open(sp(state, "log", f"{name}.log"), errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


# --- user data -----------------------------------------------------------------------------------

def http_json(method, url, body=None, headers=None):
    # No proxy: every URL here is the dev cloud's, on 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", "Accept": "application/json", **(headers or {})})
    try:
        with opener.open(req, timeout=60) as r:
            return r.headers, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise GuestError(f"{method} {url}: HTTP {e.code}: {e.read()[:500].decode(errors='replace')}")
    except urllib.error.URLError as e:
        raise GuestError(f"{method} {url}: {e.reason}")


def keystone_token():
    """Keystone v3 password auth from the OS_* variables: (token, catalog)."""
    need = ["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"]
    missing = [v for v in need if not os.environ.get(v)]
    if missing:
        raise GuestError(f"reading user_data from Nova needs {', '.join(missing)} "
                         "(eval \"$(scripts/devcloud.sh env)\"), or give --user-data-file")
    e = os.environ
    url = e["OS_AUTH_URL"].rstrip("/")
    if not url.endswith("/v3"):
        url += "/v3"
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": e["OS_USERNAME"], "password": e["OS_PASSWORD"],
            "domain": {"name": e.get("OS_USER_DOMAIN_NAME") or "Default"}}}},
        "scope": {"project": {"name": e["OS_PROJECT_NAME"],
                              "domain": {"name": e.get("OS_PROJECT_DOMAIN_NAME") or "Default"}}}}}
    headers, doc = http_json("POST", url + "/auth/tokens", body)
    return headers["X-Subject-Token"], doc["token"].get("catalog", [])


def compute_endpoint(catalog):
    region = os.environ.get("OS_REGION_NAME")
    for svc in catalog:
        if svc.get("type") != "compute":
            continue
        for ep in svc.get("endpoints", []):
            if ep.get("interface") == "public" and (not region or ep.get("region_id") == region or ep.get("region") == region):
                return ep["url"].rstrip("/")
    raise GuestError("no public compute endpoint in the catalog")


def user_data_from_nova(server_id):
    token, catalog = keystone_token()
    # user_data is shown to admins from microversion 2.3; Trove's guests need 2.57 semantics.
    _, doc = http_json("GET", f"{compute_endpoint(catalog)}/servers/{server_id}",
                       headers={"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "2.57"})
    ud = doc["server"].get("OS-EXT-SRV-ATTR:user_data")
    if not ud:
        raise GuestError(f"server {server_id} has no user_data (or the credentials are not admin's)")
    return base64.b64decode(ud)


def parse_cloud_config(raw):
    """The #cloud-config document: its write_files, decoded. Other keys are reported, not run."""
    try:
        import yaml  # python3-yaml, installed with Debian's OpenStack packages
    except ImportError:
        raise GuestError("/usr/bin/python3 has no yaml module: apt-get install python3-yaml")
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode()
    if not text.startswith("#cloud-config"):
        raise GuestError(f"user_data is not a #cloud-config document (starts {text[:30]!r})")
    doc = yaml.safe_load(text) or {}
    ignored = sorted(k for k in doc if k != "write_files")
    if ignored:
        warn(f"cloud-config keys not carried out (only write_files is): {', '.join(ignored)}")
    files = []
    for entry in doc.get("write_files") or []:
        files.append({
            "path": entry["path"],
            "content": decode_content(entry.get("content", ""), entry.get("encoding")),
            "owner": entry.get("owner", "root:root"),
            "permissions": entry.get("permissions"),
            "append": bool(entry.get("append", False)),
        })
    return files


def decode_content(content, encoding):
    enc = (encoding or "text/plain").lower()
    data = content if isinstance(content, bytes) else str(content).encode()
    if enc in ("b64", "base64", "gz+b64", "gz+base64", "gzip+b64", "gzip+base64"):
        data = base64.b64decode(data)
    if enc.startswith("gz"):
        data = gzip.decompress(data)
    elif enc not in ("text/plain", "b64", "base64"):
        raise GuestError(f"write_files: unknown encoding {encoding!r}")
    return data


# --- the guest's files ---------------------------------------------------------------------------

def host_path(state, guest_path):
    """Where a guest path lives in the state dir, or GuestError when it is outside what the guest
    has privately (the host's own files are never written)."""
    p = os.path.normpath(guest_path)
    if not os.path.isabs(p):
        raise GuestError(f"write_files: {guest_path} is not absolute")
    if p in BIND_FILES:
        raise GuestError(f"write_files: {p} is the guest's own copy; the harness does not overwrite it")
    for gdir in sorted(BIND_DIRS, key=len, reverse=True):
        if p == gdir or p.startswith(gdir + "/"):
            return os.path.join(state, BIND_DIRS[gdir], os.path.relpath(p, gdir))
    for tree in OVERLAY_TREES:
        if p.startswith(tree + "/"):
            return os.path.join(overlay_dir(state, tree), "upper", os.path.relpath(p, tree))
    raise GuestError(f"write_files: {p} is outside the guest's private paths "
                     f"({', '.join(sorted(BIND_DIRS) + list(OVERLAY_TREES))}); refusing to write the host's")


def overlay_dir(state, tree):
    return sp(state, "overlay", tree.strip("/").replace("/", "_"))


def in_overlay(state, target):
    return target.startswith(sp(state, "overlay") + "/")


def make_parents(state, target, guest_path):
    """mkdir -p for a file's directory; in an overlay's upper layer a new directory copies the mode
    and owner of the host's directory it shadows, so the merged view keeps them."""
    missing, d, g = [], os.path.dirname(target), os.path.dirname(os.path.normpath(guest_path))
    while not os.path.isdir(d):
        missing.append((d, g))
        d, g = os.path.dirname(d), os.path.dirname(g)
    for host_dir, guest_dir in reversed(missing):
        os.mkdir(host_dir, 0o755)
        if in_overlay(state, host_dir) and os.path.isdir(guest_dir):
            st = os.stat(guest_dir)
            os.chmod(host_dir, st.st_mode & 0o7777)
            os.chown(host_dir, st.st_uid, st.st_gid)


def write_guest_files(state, files):
    """cloud-init's write_files: content and mode now; owners once the guest's passwd exists."""
    for f in files:
        target = host_path(state, f["path"])
        make_parents(state, target, f["path"])
        if f["append"] and in_overlay(state, target) and not os.path.exists(target) and os.path.isfile(f["path"]):
            shutil.copy2(f["path"], target)  # appending to the host's file as the guest sees it
        with open(target, "ab" if f["append"] else "wb") as out:
            out.write(f["content"])
        mode = int(str(f["permissions"]), 8) if f["permissions"] is not None else 0o644
        os.chmod(target, mode)
        say(f"wrote {f['path']} ({len(f['content'])} bytes, {oct(mode)}) -> {os.path.relpath(target, state)}")


def apply_owners(state, files, ids):
    for f in files:
        os.chown(host_path(state, f["path"]), *resolve_owner(f["owner"], ids))


def read_id_file(path):
    """name -> id from a passwd or group file."""
    out = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split(":")
            if len(parts) >= 3 and parts[2].isdigit():
                out.setdefault(parts[0], int(parts[2]))
    return out


_warned_owners = set()


def resolve_owner(owner, ids):
    """'user:group' in the guest's passwd/group copies. Trove's default owner is the image's user
    (ubuntu), which this host may lack: then root, as cloud-init would leave a file it cannot chown."""
    user, _, group = str(owner).partition(":")
    uid = ids["users"].get(user)
    gid = ids["groups"].get(group or user)
    if (uid is None or gid is None) and owner not in _warned_owners:
        _warned_owners.add(owner)
        warn(f"write_files: owner {owner!r} is not in the guest's passwd/group; its files stay root's")
    return (uid if uid is not None else 0), (gid if gid is not None else 0)


def make_identity_files(state, uname, uid, gid):
    """Copies of the host's /etc/passwd and /etc/group with the database user and group added
    (unless the host has them), bind-mounted over the originals inside the namespace."""
    os.makedirs(sp(state, "etc"), exist_ok=True)
    for src, rel, line in (("/etc/passwd", BIND_FILES["/etc/passwd"], f"{uname}:x:{uid}:{gid}::/nonexistent:/usr/sbin/nologin\n"),
                           ("/etc/group", BIND_FILES["/etc/group"], f"{uname}:x:{gid}:\n")):
        with open(src) as f:
            text = f.read()
        if uname not in read_id_file(src):
            text = text + ("" if text.endswith("\n") else "\n") + line
        with open(sp(state, rel), "w") as f:
            f.write(text)
        os.chmod(sp(state, rel), 0o644)
    return {"users": read_id_file(sp(state, BIND_FILES["/etc/passwd"])),
            "groups": read_id_file(sp(state, BIND_FILES["/etc/group"]))}


# --- what the agent's configuration says ---------------------------------------------------------
# Asked of Trove itself (the venv's oslo.config, Trove's option defaults, oslo.messaging's URL
# parser), so device_path, mount_point and the uid are exactly what the agent will use.
PROBE = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
import oslo_messaging
from trove.common import cfg
CONF = cfg.CONF
CONF(args=["--config-dir", sys.argv[1]], project="trove", default_config_files=[], default_config_dirs=[])
m = CONF.datastore_manager
out = {"manager": m, "guest_id": CONF.guest_id}
if m:
    s = CONF.get(m)
    uid = s.database_service_uid or CONF.database_service_uid
    out.update(device_path=s.device_path, mount_point=s.mount_point, uid=str(uid),
               gid=str(s.database_service_gid or uid), uname=s.database_service_uname,
               docker_image=s.docker_image, backup_docker_image=s.backup_docker_image)
out["container_registry"] = CONF.guest_agent.container_registry
try:
    url = oslo_messaging.TransportURL.parse(CONF)
    out["transport"] = [[h.hostname, h.port] for h in url.hosts]
except Exception as e:
    out["transport_error"] = str(e)
print(json.dumps(out))
'''


def probe_agent_config(venv, conf_dir):
    r = subprocess.run([os.path.join(venv, "bin", "python3"), "-c", PROBE, conf_dir],
                       capture_output=True, text=True, env=base_env())
    if r.returncode != 0:
        raise GuestError(f"Trove cannot read the injected configuration in {conf_dir}:\n{r.stderr[-2000:]}")
    conf = json.loads(r.stdout.strip().splitlines()[-1])
    if not conf.get("manager"):
        raise GuestError("the injected configuration names no datastore_manager (guest_info.conf missing?)")
    if not conf.get("guest_id"):
        raise GuestError("the injected configuration has no guest_id (guest_info.conf missing?)")
    return conf


LOOPBACK = ("127.0.0.1", "localhost")


def loopback_port(hostport, default=None):
    """The port of 'host:port' (or 'host:port/path') when host is the loopback, else None."""
    if not hostport:
        return None
    m = re.fullmatch(r"([^/:]+)(?::(\d+))?(/.*)?", str(hostport))
    if not m or m.group(1) not in LOOPBACK:
        return None
    return int(m.group(2)) if m.group(2) else default


def derive_forward_ports(conf, daemon_json):
    """Loopback services the guest's configuration names: RabbitMQ in transport_url, the registry
    (container_registry, the datastore images, the insecure registries of daemon.json)."""
    ports = set()
    for host, port in conf.get("transport", []):
        if host in LOOPBACK:
            ports.add(int(port or 5672))
    for key in ("container_registry", "docker_image", "backup_docker_image"):
        p = loopback_port(conf.get(key))
        if p:
            ports.add(p)
    for reg in daemon_json.get("insecure-registries", []):
        p = loopback_port(reg)
        if p:
            ports.add(p)
    return ports


# --- the namespace -------------------------------------------------------------------------------

def is_private(path):
    """Under a tree the guest sees privately (an overlay, its own /run or /tmp): a mount point made
    there does not appear on the host."""
    return any(path.startswith(t + "/") for t in OVERLAY_TREES + ("/run", "/tmp"))


def mount_plan(state, conf):
    """The mounts the holder makes inside its fresh mount namespace, in order."""
    if not is_private(os.path.normpath(conf["mount_point"])):
        raise GuestError(f"mount_point {conf['mount_point']} is not under {', '.join(OVERLAY_TREES)}: "
                         "making it would change the host")
    plan = [{"type": "tmpfs", "source": "guest-run", "target": "/run", "options": "mode=0755"}]
    for tree in OVERLAY_TREES:
        d = overlay_dir(state, tree)
        plan.append({"type": "overlay", "source": "guest" + tree.replace("/", "-"), "target": tree,
                     "options": f"lowerdir={tree},upperdir={d}/upper,workdir={d}/work"})
    for gdir, rel in BIND_DIRS.items():
        plan.append({"type": "bind", "source": sp(state, rel), "target": gdir, "kind": "dir"})
    for gfile, rel in BIND_FILES.items():
        plan.append({"type": "bind", "source": sp(state, rel), "target": gfile, "kind": "file"})
    dev = conf["device_path"]
    if os.path.exists(dev):
        # A real device of that name on this host: never let the agent near it.
        plan.append({"type": "bind", "source": "/dev/null", "target": dev, "kind": "file"})
    # Trove's cmd/guest.py formats and mounts device_path on every start unless
    # `grep '^<device_path> ' /etc/mtab` finds it: a tmpfs whose source is that name.
    plan.append({"type": "tmpfs", "source": dev, "target": conf["mount_point"],
                 "options": f"mode=0755,uid={conf['uid']},gid={conf['gid']}"})
    return plan


def run_holder(state):
    """Runs as `unshare ... -- guest.py _holder`, inside the fresh namespaces: makes the mounts,
    brings lo up, then keeps the namespaces alive until TERM (everything else nsenters them)."""
    try:
        for m in read_json(sp(state, "mounts.json")):
            do_mount(m)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        with open(sp(state, "holder.ready"), "w") as f:
            f.write(f"{os.getpid()}\n")
    except Exception as e:  # noqa: BLE001 - reported to the starter through the log
        print(f"holder: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    print("holder: namespaces ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


def do_mount(m):
    # -n: libmount would otherwise create /run/mount (its utab) on the host's /run before the
    # first mount covers it.
    if m["type"] == "bind":
        if m["kind"] == "dir":
            os.makedirs(m["target"], exist_ok=True)
        elif not os.path.exists(m["target"]):
            open(m["target"], "a").close()
        argv = ["mount", "-n", "--bind", m["source"], m["target"]]
    else:
        os.makedirs(m["target"], exist_ok=True)
        argv = ["mount", "-n", "-t", m["type"], "-o", m["options"], m["source"], m["target"]]
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise GuestError(f"{' '.join(argv)}: {r.stderr.strip()}")
    print(f"holder: {' '.join(argv)}", flush=True)


def ns_inodes(pid, kinds=("mnt", "net", "ipc")):
    return {ns: os.stat(f"/proc/{pid}/ns/{ns}").st_ino for ns in kinds}


# --- the guest's dockerd -------------------------------------------------------------------------

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def docker_api(sock, method, path, timeout=10):
    c = UnixHTTPConnection(sock, timeout)
    try:
        c.request(method, path)
        r = c.getresponse()
        body = r.read()
        return r.status, body
    finally:
        c.close()


def docker_answers(sock):
    try:
        return docker_api(sock, "GET", "/_ping", timeout=2)[0] == 200
    except OSError:
        return False


def dockerd_argv(state, server_id, daemon_json, network):
    argv = ["dockerd", f"--data-root={sp(state, 'docker', 'data')}", "--exec-root=/run/docker",
            f"--pidfile={sp(state, 'docker', 'dockerd.pid')}",
            f"--host={GUEST_DOCKER_HOST}", f"--host=unix://{sp(state, 'docker.sock')}",
            "--storage-driver=vfs", f"--cgroup-parent=/{cgroup_parent(server_id)}"]
    clash = {"data-root", "exec-root", "pidfile", "hosts", "storage-driver", "cgroup-parent"} & set(daemon_json)
    if clash:
        raise GuestError(f"the injected daemon.json sets {', '.join(sorted(clash))}, which the harness must set itself")
    # The guest's network settings win when Trove injected them (network_isolation: bridge none).
    if network == "none" and not ({"bridge", "iptables"} & set(daemon_json)):
        argv += ["--bridge=none", "--iptables=false"]
    return argv


def cgroup_parent(server_id):
    return f"devcloud-guest-{server_id}"


def start_dockerd(state, server_id, holder, daemon_json, mode):
    """Try a bridge with iptables (both private to the guest's netns), so a container's published
    3306 answers on the guest's 127.0.0.1; fall back to no bridge when the kernel refuses."""
    sock = sp(state, "docker.sock")
    if {"bridge", "iptables"} & set(daemon_json):
        attempts = ["daemon.json"]
    else:
        attempts = {"auto": ["bridge", "none"], "bridge": ["bridge"], "none": ["none"]}[mode]
    for network in attempts:
        p = spawn(state, "dockerd", in_guest(holder["pid"], dockerd_argv(state, server_id, daemon_json, network)))
        try:
            wait_for("the guest's dockerd", lambda: docker_answers(sock), 90, failed=lambda: p.poll() is not None)
            return network
        except GuestError as e:
            stop_groups([read_json(sp(state, "pids.json"))["dockerd"]], 20, "dockerd")
            if network != attempts[0] or len(attempts) == 1:
                raise GuestError(f"{e}; the end of its log:\n{log_tail(state, 'dockerd')}")
            warn(f"the guest's dockerd did not start with a bridge and iptables ({e}); "
                 "retrying with --bridge=none --iptables=false: containers' ports will not answer over TCP")
            with open(sp(state, "log", "dockerd.log"), "ab") as f:
                f.write(b"\n--- guest.py: retrying with --bridge=none --iptables=false ---\n")
    raise GuestError("unreachable")


# --- start ---------------------------------------------------------------------------------------

def default_venv():
    r = subprocess.run([TROVE_VENV_SH], capture_output=True, text=True)
    if r.returncode != 0:
        raise GuestError(f"{TROVE_VENV_SH} failed:\n{r.stderr[-2000:]}")
    return r.stdout.strip().splitlines()[-1]


def prepare_state(state):
    for rel in list(BIND_DIRS.values()) + ["log", "fwd", "docker/data"]:
        os.makedirs(sp(state, rel), exist_ok=True)
    for tree in OVERLAY_TREES:
        for sub in ("upper", "work"):
            os.makedirs(os.path.join(overlay_dir(state, tree), sub), exist_ok=True)
    os.chmod(sp(state, "tmp"), 0o1777)
    # The container's /var/run/mysqld: the agent chowns it; a reader on the host may want it too.
    os.chmod(sp(state, "var/lib/mysqld"), 0o755)


def cmd_start(args):
    server_id = check_server_id(args.server)
    state = state_dir_for(server_id, args.state_dir)
    check_state_dir_location(state)
    if os.path.isdir(state):
        holder = (read_json(sp(state, "pids.json"), {}) or {}).get("holder")
        if alive(holder):
            raise GuestError(f"the guest of {server_id} runs already (state dir {state}); stop it first")
        say(f"removing what a previous run of {server_id} left")
        stop_one(state)
    venv = os.path.abspath(args.venv or default_venv())
    agent_bin = os.path.join(venv, "bin", "trove-guestagent")
    if not os.access(agent_bin, os.X_OK):
        raise GuestError(f"{agent_bin} is missing (scripts/devcloud/trove-venv.sh makes the venv)")

    raw = open(args.user_data_file, "rb").read() if args.user_data_file else user_data_from_nova(server_id)
    files = parse_cloud_config(raw)
    for f in files:  # refuse a path outside the guest's private ones before anything is made
        host_path(state, f["path"])
    os.makedirs(state, mode=0o700)
    try:
        start_guest(state, server_id, venv, agent_bin, raw, files, args)
    except BaseException:
        if args.keep_on_failure:
            warn(f"start failed: left as it is for inspection in {state}; `guest.py stop` removes it")
            raise
        warn("start failed: stopping what it started; the ends of its logs:")
        for name in PROCESS_ORDER:
            tail = log_tail(state, name, 15)
            if tail:
                print(f"--- {name}.log ---\n{tail}", file=sys.stderr)
        stop_one(state)
        raise


def start_guest(state, server_id, venv, agent_bin, raw, files, args):
    prepare_state(state)
    with open(sp(state, "user-data"), "wb") as f:
        f.write(raw)
    with open(sp(state, "server-id"), "w") as f:
        f.write(server_id + "\n")

    # cloud-init's write_files, into the directories the guest will see.
    write_guest_files(state, files)
    conf = probe_agent_config(venv, sp(state, BIND_DIRS["/etc/trove"], "conf.d"))
    apply_owners(state, files, make_identity_files(state, conf["uname"], conf["uid"], conf["gid"]))
    daemon_json = read_json(sp(state, "etc", "docker", "daemon.json"), {}) or {}
    say(f"guest {conf['guest_id']}: datastore manager {conf['manager']}, {conf['device_path']} on {conf['mount_point']} "
        f"(tmpfs), database user {conf['uname']} {conf['uid']}:{conf['gid']}")

    # The namespaces and their mounts.
    write_json(sp(state, "mounts.json"), mount_plan(state, conf))
    holder_p = spawn(state, "holder", ["unshare", *NAMESPACE_FLAGS, "--propagation", "private", "--",
                                       PY, os.path.abspath(__file__), "_holder", "--state-dir", state])
    wait_for("the namespace holder", lambda: os.path.exists(sp(state, "holder.ready")), 30,
             failed=lambda: holder_p.poll() is not None)
    holder = read_json(sp(state, "pids.json"))["holder"]
    write_json(sp(state, "ns.json"), ns_inodes(holder["pid"]))
    check_device_mounted(holder["pid"], conf["device_path"])

    # Loopback services of the host, reachable at the same addresses inside.
    ports = sorted(set(args.forward or []) | derive_forward_ports(conf, daemon_json))
    if ports:
        start_forwarders(state, holder, ports)

    network = start_dockerd(state, server_id, holder, daemon_json, args.docker_network)

    agent_env = base_env(DOCKER_HOST=GUEST_DOCKER_HOST, HOME="/root", PYTHONDONTWRITEBYTECODE="1",
                         PATH=os.path.join(venv, "bin") + ":" + PATH)
    agent_p = spawn(state, "agent", in_guest(holder["pid"], [agent_bin, f"--config-dir={AGENT_CONFIG_DIR}"]),
                    env=agent_env)
    how = wait_for_agent(state, agent_p, conf, ports, args)
    report_started(state, server_id, conf, ports, network, venv, how)


def report_started(state, server_id, conf, ports, network, venv, how):
    pids = read_json(sp(state, "pids.json"))
    write_json(sp(state, "info.json"), {
        "server": server_id, "guest_id": conf["guest_id"], "manager": conf["manager"],
        "forward": ports, "docker_network": network, "venv": venv,
        "docker_host_from_host": "unix://" + sp(state, "docker.sock"),
        "pids": {k: v["pid"] for k, v in pids.items()}})
    say(f"state dir: {state}")
    say("pids: " + " ".join(f"{k}={pids[k]['pid']}" for k in PROCESS_ORDER if k in pids))
    say(f"forwarded loopback ports: {' '.join(map(str, ports)) or 'none'}")
    say(f"guest dockerd: network {network}" + {
        "bridge": " (bridge and iptables in the guest's netns: published ports answer on its 127.0.0.1)",
        "none": " (--bridge=none --iptables=false: containers' ports do not answer over TCP)",
    }.get(network, " (as the injected daemon.json says)"))
    say(f"agent: {how}; logs: {sp(state, 'log', 'agent.log')} and {sp(state, 'log', 'trove')}/")


def wait_for_agent(state, agent_p, conf, ports, args):
    """The agent is up once it connects to its message broker: by then it has read its
    configuration, found its device mounted, logged in to the registry and built its manager (any of
    which ends it when it fails). The guest side forwarder logs that connection when the broker is
    a forwarded loopback port; otherwise the agent must just keep running for --settle seconds."""
    broker_ports = [int(p or 5672) for h, p in conf.get("transport", []) if h in LOOPBACK and int(p or 5672) in ports]
    log = sp(state, "log", "forward-guest.log")

    def reached_broker():
        try:
            with open(log, errors="replace") as f:
                text = f.read()
        except OSError:
            return False
        return any(f"accepted 127.0.0.1:{p} -> " in text for p in broker_ports)

    def died():
        return agent_p.poll() is not None

    try:
        if broker_ports:
            wait_for("trove-guestagent connecting to its message broker", reached_broker, args.timeout, failed=died)
            how = f"reached its broker port 127.0.0.1:{broker_ports[0]} through the forwarder"
        else:
            time.sleep(args.settle)
            how = f"running for {args.settle} s (its broker is not a forwarded loopback port)"
        if died():
            raise GuestError("trove-guestagent: the process exited")
    except GuestError as e:
        code = agent_p.poll()
        raise GuestError(f"{e}{'' if code is None else f' (exit status {code})'}; the end of its logs:\n"
                         f"{trove_log_tail(state)}")
    return how


def trove_log_tail(state):
    d = sp(state, BIND_DIRS["/var/log/trove"])
    out = ""
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), errors="replace") as f:
            out += f"--- {name} (end) ---\n" + "".join(f.readlines()[-25:])
    return out


def check_device_mounted(holder_pid, device_path):
    """What the agent's `grep '^/dev/vdb ' /etc/mtab` will see (/etc/mtab -> /proc/self/mounts)."""
    with open(f"/proc/{holder_pid}/mounts") as f:
        if not any(line.startswith(device_path + " ") for line in f):
            raise GuestError(f"{device_path} is not in the guest's mount table: the agent would format it")


def start_forwarders(state, holder, ports):
    socks = {p: sp(state, "fwd", f"{p}.sock") for p in ports}
    host_p = spawn(state, "forward-host", [PY, FORWARD, "unix-to-tcp", *[f"{s}={p}" for p, s in socks.items()],
                                           "--ready", sp(state, "fwd", "host.ready")])
    wait_for("the host side forwarder", lambda: os.path.exists(sp(state, "fwd", "host.ready")), 15,
             failed=lambda: host_p.poll() is not None)
    # The guest side runs a copy kept in the state dir: the repository may sit under a tree the
    # guest sees privately (a clone in /tmp), the state dir never does.
    inside = sp(state, "fwd", "forward.py")
    shutil.copyfile(FORWARD, inside)
    guest_p = spawn(state, "forward-guest", in_guest(holder["pid"], [PY, inside, "tcp-to-unix",
                                                                    *[f"{p}={s}" for p, s in socks.items()],
                                                                    "--ready", sp(state, "fwd", "guest.ready")]))
    wait_for("the guest side forwarder", lambda: os.path.exists(sp(state, "fwd", "guest.ready")), 15,
             failed=lambda: guest_p.poll() is not None)


# --- stop ----------------------------------------------------------------------------------------

def guest_processes(ns, exclude):
    """Every process in one of the guest's namespaces, and their descendants (a container's
    processes have namespaces of their own but descend from a shim in the guest's)."""
    parent, members = {}, set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        try:
            with open(f"/proc/{pid}/stat") as f:
                parent[pid] = int(f.read().rsplit(")", 1)[1].split()[1])
            if any(os.stat(f"/proc/{pid}/ns/{k}").st_ino == ns[k] for k in ns):
                members.add(pid)
        except (OSError, ValueError):
            continue
    found, grew = set(members), True
    while grew:
        grew = False
        for pid, pp in parent.items():
            if pp in found and pid not in found:
                found.add(pid)
                grew = True
    return found - set(exclude) - {os.getpid()}


def ns_confirmed(pids, ns):
    """The recorded namespace inodes still name the guest's namespaces only while one of our own
    recorded processes is in them (an inode number is reused once a namespace is gone)."""
    for rec in pids.values():
        if alive(rec):
            try:
                if ns_inodes(rec["pid"], ns) == ns:
                    return True
            except OSError:
                pass
    return False


def remove_containers(state):
    sock = sp(state, "docker.sock")
    if not docker_answers(sock):
        return
    try:
        status, body = docker_api(sock, "GET", "/containers/json?all=1")
        for c in json.loads(body) if status == 200 else []:
            docker_api(sock, "DELETE", f"/containers/{c['Id']}?force=1&v=1", timeout=60)
            say(f"removed container {c.get('Names', [c['Id']])[0].lstrip('/')}")
    except (OSError, ValueError) as e:
        warn(f"removing the guest's containers: {e}")


def kill_leftovers(pids):
    """KILL what the orderly stops left (a shim, a container whose dockerd was killed) and wait
    until they are gone, so their cgroups can be removed."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if pids:
        warn(f"killed {len(pids)} leftover process(es) of the guest: {sorted(pids)}")
        try:
            wait_for("leftover processes to exit", lambda: all(not os.path.exists(f"/proc/{p}") or
                                                              proc_state(p) == "Z" for p in pids), 10)
        except GuestError as e:
            warn(str(e))


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def stop_one(state):
    pids = read_json(sp(state, "pids.json"), {}) or {}
    ns = read_json(sp(state, "ns.json"))
    sweep = bool(ns) and ns_confirmed(pids, ns)

    # The agent first, so it restarts nothing; then the containers, while their dockerd answers.
    stop_groups([pids.get("agent")], 10, "agent")
    remove_containers(state)
    stop_groups([pids.get("dockerd")], 30, "dockerd")
    stop_groups([pids.get("forward-guest"), pids.get("forward-host")], 5, "forwarders")
    if sweep:
        kill_leftovers(guest_processes(ns, exclude=[pids["holder"]["pid"]] if "holder" in pids else []))
    stop_groups([pids.get("holder")], 5, "holder")
    if "holder" in pids:
        wait_for("the namespace holder to exit", lambda: not group_exists(pids["holder"]["pid"]), 10)

    # Everything was mounted inside the guest's own mount namespace, which is gone with its last
    # process; anything under the state dir still in the host's table is unmounted lazily.
    unmount_under(state)
    remove_cgroups(pids)
    if mounts_under(state):
        raise GuestError(f"mounts remain under {state}: not removing it")
    shutil.rmtree(state, ignore_errors=False)


def mounts_under(state):
    out = []
    with open("/proc/self/mounts") as f:
        for line in f:
            target = line.split()[1].replace("\\040", " ")
            if target == state or target.startswith(state + "/"):
                out.append(target)
    return out


def unmount_under(state):
    for target in sorted(mounts_under(state), key=len, reverse=True):
        subprocess.run(["umount", "-n", "-l", target], capture_output=True)
        say(f"unmounted {target}")


def remove_cgroups(pids):
    """Containers' cgroups live under the guest dockerd's --cgroup-parent; docker removes them with
    the containers, a killed one leaves them (empty) behind."""
    argv = (pids.get("dockerd") or {}).get("argv") or []
    parent = next((a.split("=", 1)[1].strip("/") for a in argv if a.startswith("--cgroup-parent=")), None)
    if not parent:
        return
    for hier in os.listdir("/sys/fs/cgroup") if os.path.isdir("/sys/fs/cgroup") else []:
        top = os.path.join("/sys/fs/cgroup", hier, parent)
        if not os.path.isdir(top):
            continue
        for d, _, _ in sorted(os.walk(top), key=lambda t: len(t[0]), reverse=True):
            try:
                os.rmdir(d)
            except OSError as e:
                warn(f"cgroup {d}: {e.strerror}")


def cmd_stop(args):
    if args.all:
        root = guests_root()
        states = sorted(os.path.join(root, d) for d in os.listdir(root)) if os.path.isdir(root) else []
    else:
        states = [state_dir_for(args.server, args.state_dir)]
    stopped, failed = 0, []
    for state in states:
        if not os.path.isdir(state):
            continue
        say(f"stopping the guest in {state}")
        try:
            stop_one(state)
            stopped += 1
        except (GuestError, OSError) as e:  # go on with the others, fail at the end
            warn(f"{state}: {e}")
            failed.append(state)
    say(f"stopped {stopped} guest(s)" if stopped else "nothing to stop")
    if failed:
        raise GuestError(f"could not stop completely: {', '.join(failed)}")


# --- exec ----------------------------------------------------------------------------------------

def cmd_exec(args):
    state = state_dir_for(args.server, args.state_dir)
    holder = (read_json(sp(state, "pids.json"), {}) or {}).get("holder")
    if not alive(holder):
        raise GuestError(f"no guest runs for {args.server} (state dir {state})")
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        raise GuestError("exec: no command")
    # Keep the caller's directory when the guest sees the same one (not its private /tmp or /run).
    cwd = os.getcwd()
    wd = "/" if any(cwd == t or cwd.startswith(t + "/") for t in ("/tmp", "/run")) else cwd
    env = dict(os.environ, DOCKER_HOST=GUEST_DOCKER_HOST)
    os.execvpe("nsenter", in_guest(holder["pid"], cmd, wd=wd), env)


# --- main ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    s = sub.add_parser("start", help="write the user data's files, start namespaces, dockerd and the agent")
    s.add_argument("--server", required=True, help="the Nova server id")
    s.add_argument("--state-dir", help="default $DEVCLOUD_DIR/guests/<server> ($DEVCLOUD_DIR: <repo>/.devcloud)")
    s.add_argument("--venv", help="Trove's venv (default: what scripts/devcloud/trove-venv.sh prints)")
    s.add_argument("--forward", type=int, action="append", metavar="PORT",
                   help="a host loopback port to make reachable at 127.0.0.1 inside (repeatable); "
                        "the ports of transport_url and the registry are added when they are loopback")
    s.add_argument("--user-data-file", help="the cloud-config from a file instead of Nova")
    s.add_argument("--docker-network", choices=["auto", "bridge", "none"], default="auto",
                   help="the guest dockerd's network: auto tries a bridge with iptables, then none")
    s.add_argument("--timeout", type=float, default=120,
                   help="seconds to wait for the agent to connect to its broker (default 120)")
    s.add_argument("--settle", type=float, default=10,
                   help="when the broker is not a forwarded loopback port: seconds the agent must keep running (default 10)")
    s.add_argument("--keep-on-failure", action="store_true", help="leave a failed start running, to inspect it")

    t = sub.add_parser("stop", help="stop everything a start started and remove its state dir")
    g = t.add_mutually_exclusive_group(required=True)
    g.add_argument("--server")
    g.add_argument("--all", action="store_true", help="every guest under $DEVCLOUD_DIR/guests")
    t.add_argument("--state-dir")

    e = sub.add_parser("exec", help="run a command inside the guest's namespaces (DOCKER_HOST set)")
    e.add_argument("--server", required=True)
    e.add_argument("--state-dir")
    e.add_argument("cmd", nargs=argparse.REMAINDER)

    w = sub.add_parser("where", help="print the state dir a server's guest has (or would have)")
    w.add_argument("--server", required=True)

    h = sub.add_parser("_holder", help=argparse.SUPPRESS)
    h.add_argument("--state-dir", required=True)

    args = ap.parse_args()
    if os.geteuid() != 0:
        raise GuestError("run as root: namespaces, mounts and dockerd need it")
    {"start": cmd_start, "stop": cmd_stop, "exec": cmd_exec, "where": lambda a: print(state_dir_for(a.server)),
     "_holder": lambda a: run_holder(a.state_dir)}[args.command](args)


if __name__ == "__main__":
    try:
        main()
    except GuestError as e:
        print(f"guest: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
