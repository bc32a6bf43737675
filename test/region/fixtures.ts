import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { TroveRegionArgs } from "../../components/region/region-args";
import { tempDir } from "../tmp";

/** A Trove checkout stand-in, a templates dir and a backup context, made once per test file. */
export function fixtures(): { troveDir: string; templates: string; backup: string; images: string } {
    const root = tempDir("region");
    const troveDir = path.join(root, "trove");
    fs.mkdirSync(path.join(troveDir, "integration", "scripts"), { recursive: true });
    fs.writeFileSync(path.join(troveDir, "integration", "scripts", "trovestack"), "#!/bin/bash\n");
    const templates = path.join(root, "templates");
    for (const manager of ["mysql", "mariadb", "postgresql"]) {
        fs.mkdirSync(path.join(templates, manager), { recursive: true });
        fs.writeFileSync(path.join(templates, manager, "validation-rules.json"), JSON.stringify({
            "configuration-parameters": [{ name: "max_connections", restart_required: false, min: 1, max: 100000, type: "integer" }],
        }));
    }
    const backup = path.join(root, "backup");
    fs.mkdirSync(backup);
    fs.writeFileSync(path.join(backup, "Dockerfile"), "FROM scratch\n");
    return { troveDir, templates, backup, images: path.join(root, "images") };
}

/** A full region: every component in, registry created, images published. */
export function regionArgs(f: ReturnType<typeof fixtures>): TroveRegionArgs {
    return {
        serviceProjectId: "service-project",
        troveUserId: "trove-user",
        managementNetwork: { cidr: "10.254.0.0/22", routing: { mode: "existing-router", routerId: "router-1" } },
        securityGroups: { sshFromCidrs: ["192.0.2.10/32"] },
        registry: { mode: "create", hostAddress: "10.0.0.5", credentials: { username: "guest", password: pulumi.secret("registry-pw") } },
        datastores: [
            { datastore: "mysql", version: "5.7.29", sourceImage: "mysql:5.7.29" },
            { datastore: "mysql", version: "8.0.36", sourceImage: "mysql:8.0.36", default: true },
            { datastore: "mariadb", version: "10.4", sourceImage: "mariadb:10.4" },
            { datastore: "postgresql", version: "12", sourceImage: "postgres:12" },
        ],
        datastoreImages: { backupContext: f.backup },
        guestImage: { source: { mode: "build", troveDir: f.troveDir, outputDir: f.images } },
        trove: {
            connection: pulumi.secret({ authUrl: "http://127.0.0.1:5000/v3", username: "trove", password: "trove-pw", projectName: "service" }),
            parametersDir: f.templates,
        },
    };
}
