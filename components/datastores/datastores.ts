import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DatastoreVersionSpec, resolveVersions, validateDatastoreVersions, versionKey } from "../model/datastore-spec";
import { DatastoreVersion } from "./datastore-version";
import { DatastoreParameters } from "./datastore-parameters";
import { TroveManageHost, TroveManageParameters } from "./trove-manage-parameters";
import { DatastoreVersionRestrictions, validateVersionRestrictionsArgs } from "./version-restrictions";
import { parseValidationRules, splitByLoadPath } from "./validation-rules";
import { TroveConnection } from "../model/connection";
import { isPort, nested, Problem, show, throwIfProblems } from "../common/validation";
import { checkCommandText, checkHostName, checkPrivateKey, checkUserName } from "../common/names";

/** Where a pip-installed Trove keeps `<manager>/validation-rules.json`, relative to its environment. */
export const TROVE_TEMPLATES_IN_VENV = "lib/python3.*/site-packages/trove/templates";

export interface TroveManageArgs extends TroveManageHost {
    /** The trove-manage command. @default DEFAULT_TROVE_MANAGE_COMMAND ("trove-manage") */
    readonly command?: string;
    /** Passed as --config-file, so trove-manage finds Trove's database. @default trove-manage's own default */
    readonly configFile?: string;
}

export interface DatastoresArgs {
    readonly connection: pulumi.Input<TroveConnection>;
    readonly versions: readonly DatastoreVersionSpec[];
    /**
     * Pin every version to this Glance image instead of finding it by tags. Tags (the default) let
     * a rebuilt image take over without touching the versions.
     * @default versions find the image by their imageTags
     */
    readonly imageId?: pulumi.Input<string>;
    /** Versions are created after this: Trove looks the image up when a version is created. */
    readonly imageDependency?: pulumi.Resource;
    /**
     * Per `<datastore>-<version>`, a resource the version waits for: the check that the registry
     * serves the images its guests will pull, so a missing tag fails the up before Trove is asked.
     * @default none
     */
    readonly versionDependencies?: Readonly<Record<string, pulumi.Resource>>;
    /**
     * A `templates` directory holding `<manager>/validation-rules.json` (Trove's `trove/templates`).
     * @default no configuration parameters are loaded
     */
    readonly parametersDir?: string;
    /**
     * Load every parameter, booleans and floats included, with `trove-manage
     * db_load_datastore_config_parameters`, on this machine or on a controller over SSH. Without it,
     * only integer and string parameters are loaded (over REST).
     * @default REST only
     */
    readonly troveManage?: TroveManageArgs;
}

function rulesFile(dir: string, manager: string): string {
    return path.join(dir, manager, "validation-rules.json");
}

/** Every problem in where and how trove-manage runs: its text reaches a shell, maybe on another host. */
export function validateTroveManageArgs(args: TroveManageArgs): Problem[] {
    const problems: Problem[] = [];
    const check = (path: string, wrong: string | undefined) => wrong && problems.push({ path, message: wrong });
    if (args.command !== undefined) check("command", checkCommandText(args.command));
    if (args.configFile !== undefined) check("configFile", checkCommandText(args.configFile));
    if (args.ssh) {
        check("ssh.host", checkHostName(args.ssh.host));
        check("ssh.user", checkUserName(args.ssh.user));
        if (args.ssh.port !== undefined && !isPort(args.ssh.port)) {
            check("ssh.port", `${show(args.ssh.port)} is not a port between 1 and 65535`);
        }
        // A secret Output cannot be read while planning; a plain value is checked.
        if (typeof args.ssh.privateKey === "string") check("ssh.privateKey", checkPrivateKey(args.ssh.privateKey));
    }
    return problems;
}

/** Every problem in `args`; reads the rules files. Exported for testing. */
export function validateDatastoresArgs(args: Omit<DatastoresArgs, "connection" | "imageId" | "imageDependency" | "versionDependencies">): Problem[] {
    const problems = nested("versions", validateDatastoreVersions(args.versions));
    if (args.troveManage) problems.push(...nested("troveManage", validateTroveManageArgs(args.troveManage)));
    (Array.isArray(args.versions) ? args.versions : []).forEach((v, i) => {
        if (v.flavors === undefined && v.volumeTypes === undefined) return;
        // Empty lists are "not restricted" here, which the resource's own check would refuse.
        problems.push(...nested(`versions[${i}]`, validateVersionRestrictionsArgs(v).filter((p) => p.path !== "")));
        const restricts = (v.flavors ?? []).length > 0 ? "flavors" : (v.volumeTypes ?? []).length > 0 ? "volumeTypes" : undefined;
        if (restricts && !args.troveManage) {
            problems.push({
                path: `versions[${i}].${restricts}`,
                message: "Trove writes a version's allowed flavors and volume types only through trove-manage; set troveManage (on this machine, or on a controller over ssh)",
            });
        }
    });
    if (args.parametersDir !== undefined && problems.length === 0) {
        for (const manager of new Set(resolveVersions(args.versions).map((v) => v.manager))) {
            const file = rulesFile(args.parametersDir, manager);
            if (!fs.existsSync(file)) {
                problems.push({ path: "parametersDir", message: `${file} does not exist; point parametersDir at the trove/templates directory of the Trove release the controllers run (pip: <venv>/${TROVE_TEMPLATES_IN_VENV})` });
                continue;
            }
            try {
                parseValidationRules(fs.readFileSync(file, "utf8"), file);
            } catch (e) {
                problems.push({ path: "parametersDir", message: (e as Error).message });
            }
        }
    }
    return problems;
}

/**
 * The region's datastores and datastore versions in Trove, each version with its configuration
 * parameters, in the seeds' terms `openstack datastore version create <ver> <ds> <manager> ""
 * --image-tags trove,<ds> --active --default --version-number <num>` and
 * `trove-manage db_load_datastore_config_parameters`.
 */
export class Datastores extends pulumi.ComponentResource {
    /** Per `<datastore>-<version>`, the version's id in Trove. */
    public readonly versionIds: Record<string, pulumi.Output<string>>;
    /** Per datastore, the default version's name (none when no version is default). */
    public readonly defaultVersions: Record<string, string>;

    constructor(name: string, args: DatastoresArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfProblems(`Datastores "${name}"`, validateDatastoresArgs(args));
        super("trove-region:datastores:Datastores", name, {}, opts);

        this.versionIds = {};
        this.defaultVersions = {};
        const imageDependency = args.imageDependency ? [args.imageDependency] : [];
        // A datastore has one default version, and Trove clears it when a version that held it is
        // set to non-default. So the default version is written after its siblings: when the default
        // moves, the old one lets go before the new one takes it, never the other way round.
        const resolved = resolveVersions(args.versions);
        const ordered = [...resolved.filter((v) => !v.default), ...resolved.filter((v) => v.default)];
        const siblings = new Map<string, DatastoreVersion[]>();
        for (const v of ordered) {
            const key = versionKey(v);
            const own = args.versionDependencies?.[key];
            const before = own ? [...imageDependency, own] : imageDependency;
            const dependsOn = v.default ? [...before, ...(siblings.get(v.datastore) ?? [])] : before;
            const version = new DatastoreVersion(`${name}-${key}`, {
                connection: args.connection,
                datastore: v.datastore,
                name: v.version,
                manager: v.manager,
                versionNumber: v.versionNumber,
                image: args.imageId,
                imageTags: args.imageId === undefined ? [...v.imageTags] : undefined,
                packages: [...v.packages],
                active: v.active,
                default: v.default,
                // Unset: not managed, Trove's default for the manager stays (see DatastoreVersionSpec).
                registryExt: v.registryExt,
                replicationStrategy: v.replicationStrategy,
            }, { parent: this, dependsOn });
            siblings.set(v.datastore, [...(siblings.get(v.datastore) ?? []), version]);
            if (args.troveManage && (v.flavors.length > 0 || v.volumeTypes.length > 0)) {
                new DatastoreVersionRestrictions(`${name}-${key}-restrictions`, {
                    connection: args.connection,
                    versionId: version.id,
                    datastore: v.datastore,
                    version: v.version,
                    versionNumber: v.versionNumber,
                    flavors: [...v.flavors],
                    volumeTypes: [...v.volumeTypes],
                    command: args.troveManage.command,
                    configFile: args.troveManage.configFile,
                    ssh: args.troveManage.ssh,
                }, { parent: this });
            }
            this.versionIds[key] = version.id;
            if (v.default) this.defaultVersions[v.datastore] = v.version;

            if (args.parametersDir === undefined) continue;
            const file = rulesFile(args.parametersDir, v.manager);
            const text = fs.readFileSync(file, "utf8");
            const { rest } = splitByLoadPath(parseValidationRules(text, file));
            if (args.troveManage) {
                // trove-manage loads every type; it re-runs only when the rules' content changes.
                new TroveManageParameters(`${name}-${key}-parameters`, {
                    connection: args.connection,
                    versionId: version.id,
                    datastore: v.datastore,
                    version: v.version,
                    rules: text,
                    names: parseValidationRules(text, file).map((r) => r.name),
                    command: args.troveManage.command,
                    configFile: args.troveManage.configFile,
                    ssh: args.troveManage.ssh,
                }, { parent: this });
            } else {
                new DatastoreParameters(`${name}-${key}-parameters`, {
                    connection: args.connection,
                    versionId: version.id,
                    rules: rest,
                }, { parent: this });
            }
        }
        this.registerOutputs({ versionIds: this.versionIds, defaultVersions: this.defaultVersions });
    }
}
