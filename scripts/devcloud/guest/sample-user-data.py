#!/usr/bin/python3
"""Print a #cloud-config like the one Trove 26's taskmanager gives a MariaDB guest.

    sample-user-data.py [--guest-id ID] [--rabbit-port 5672] [--registry 127.0.0.1:4000] > user-data

For `guest.py start --user-data-file` when no dev cloud runs. The layout follows Trove 26's
trove/instance/models.py (get_injected_files, prepare_cloud_config): three write_files, base64,
owner ubuntu:root: guest_info.conf, trove-guestagent.conf (a base plus the stack's guestAgentConf
fragment), /etc/docker/daemon.json with the insecure registry.
"""
import argparse
import base64
import json
import secrets
import uuid

import yaml  # python3-yaml


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guest-id", default=str(uuid.uuid4()))
    ap.add_argument("--tenant-id", default=uuid.uuid4().hex)
    ap.add_argument("--rabbit-port", type=int, default=5672)
    ap.add_argument("--rabbit-host", default="127.0.0.1")
    ap.add_argument("--registry", default="127.0.0.1:4000", help="host:port, also listed as insecure")
    ap.add_argument("--datastore-version", default="10.4", help="the version number (the image tag)")
    args = ap.parse_args()

    guest_info = (
        "[DEFAULT]\n"
        f"guest_id={args.guest_id}\n"
        "datastore_manager=mariadb\n"
        f"datastore_version={args.datastore_version}\n"
        f"tenant_id={args.tenant_id}\n"
        "datastore_registry_ext=mariadb:trove.guestagent.datastore.mariadb.manager.Manager\n"
        "replication_strategy=trove.guestagent.strategies.replication.mariadb_gtid.MariaDBGTIDReplication\n"
        "ssl_mode=None\n"
        "network_isolation=False\n"
        f"instance_rpc_encr_key={secrets.token_hex(16)}\n"
    )
    agent_conf = (
        "[DEFAULT]\n"
        f"transport_url = rabbit://trove:devcloud-rabbit@{args.rabbit_host}:{args.rabbit_port}/openstack\n"
        "control_exchange = trove\n"
        "log_dir = /var/log/trove/\n"
        "log_file = trove-guestagent.log\n"
        "\n"
        "[guest_agent]\n"
        f"container_registry = {args.registry}\n"
        "\n"
        "[mariadb]\n"
        f"docker_image = {args.registry}/trove-datastores/mariadb\n"
        f"backup_docker_image = {args.registry}/trove-datastores/db-backup-mariadb\n"
    )
    files = {
        "/etc/trove/conf.d/guest_info.conf": guest_info,
        "/etc/trove/conf.d/trove-guestagent.conf": agent_conf,
        "/etc/docker/daemon.json": json.dumps({"insecure-registries": [args.registry]}),
    }
    write_files = [{"encoding": "b64", "owner": "ubuntu:root", "path": path,
                    "content": base64.b64encode(content.encode()).decode()}
                   for path, content in files.items()]
    print("#cloud-config\n" + yaml.dump({"write_files": write_files}), end="")


if __name__ == "__main__":
    main()
