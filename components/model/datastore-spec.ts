import { checkDockerTag } from "./image-names";
import { Problem, show } from "../common/validation";
import { checkImageReference } from "../common/names";

/** Managers whose guest agents run the database in a container pulled from the registry. */
export const CONTAINER_MANAGERS = ["mysql", "mariadb", "postgresql"] as const;
export type ContainerManager = (typeof CONTAINER_MANAGERS)[number];

/** Trove's API schema limits image tags: at most 5, each at most 20 characters. */
export const MAX_IMAGE_TAGS = 5;
export const MAX_IMAGE_TAG_LENGTH = 20;
/** Glance tag every guest image carries, beside the datastore names. */
export const TROVE_IMAGE_TAG = "trove";

/**
 * Trove 26's `registry_ext` for each container manager when none is given: the guest agent's
 * manager class, from `REGISTRY_EXT_DEFAULTS` in trove/common/constants.py. Trove stores it on
 * the version when the version is created without one.
 */
export const TROVE_REGISTRY_EXT_DEFAULTS: Readonly<Record<ContainerManager, string>> = {
    mysql: "trove.guestagent.datastore.mysql.manager.Manager",
    mariadb: "trove.guestagent.datastore.mariadb.manager.Manager",
    postgresql: "trove.guestagent.datastore.postgres.manager.PostgresManager",
};

/** Module of Trove's own replication strategies. */
export const TROVE_REPLICATION_PACKAGE = "trove.guestagent.strategies.replication";

/**
 * The replication strategies Trove 26 ships for each container manager, as the full import paths
 * Trove stores in `repl_strategy` (trove/guestagent/strategies/replication/); the first is the
 * default of trove.conf's `[<manager>] replication_namespace` and `replication_strategy`
 * (trove/common/cfg.py), which Trove stores when a version is created without one.
 */
export const TROVE_REPLICATION_STRATEGIES: Readonly<Record<ContainerManager, readonly string[]>> = {
    mysql: [`${TROVE_REPLICATION_PACKAGE}.mysql_gtid.MysqlGTIDReplication`],
    mariadb: [`${TROVE_REPLICATION_PACKAGE}.mariadb_gtid.MariaDBGTIDReplication`],
    postgresql: [`${TROVE_REPLICATION_PACKAGE}.postgresql.PostgresqlReplicationStreaming`],
};

/** What Trove stores for a manager's `registry_ext` and `repl_strategy` when it is given none. */
export function troveDefaultsFor(manager: string): { registryExt?: string; replicationStrategy?: string } {
    const known = (CONTAINER_MANAGERS as readonly string[]).includes(manager) ? manager as ContainerManager : undefined;
    return known === undefined ? {} : { registryExt: TROVE_REGISTRY_EXT_DEFAULTS[known], replicationStrategy: TROVE_REPLICATION_STRATEGIES[known][0] };
}

/** Longest `registry_ext` and `repl_strategy` Trove's API schema accepts (its non_empty_string). */
export const MAX_TROVE_STRING_LENGTH = 255;

/** A Python import path of a class: `package.module.Class`. */
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A replication strategy as Trove stores it: a class name Trove ships for the manager (e.g.
 * "MariaDBGTIDReplication") becomes its full import path; a dotted path is kept as given. The guest
 * agent splits the stored value at its last dot into module and class, so a bare name would not load.
 * Undefined when unset, or when a bare name is not one of the manager's (validation reports it).
 */
export function replicationStrategyPath(manager: string, strategy: string | undefined): string | undefined {
    if (strategy === undefined || !IDENTIFIER.test(strategy)) return strategy;
    const known = (TROVE_REPLICATION_STRATEGIES as Record<string, readonly string[] | undefined>)[manager] ?? [];
    return known.find((path) => path.endsWith(`.${strategy}`));
}

/** One datastore version as the operator declares it. */
export interface DatastoreVersionSpec {
    /** Datastore name, e.g. "mysql". Names the image repository `trove-datastores/<datastore>`. */
    readonly datastore: string;
    /** Version name, e.g. "10.11-ha": what users pick; the image tag too when no versionNumber is given. */
    readonly version: string;
    /** Guest agent manager. @default the datastore name */
    readonly manager?: string;
    /**
     * Trove's version number, e.g. "10.11". The guest agent pulls `<docker_image>:<version number>`
     * (Trove hands it `datastore_version.version`, not the name), so images are tagged by it.
     * @default the version name
     */
    readonly versionNumber?: string;
    /** Image mirrored into the registry as this version, e.g. "mysql:5.7.29". */
    readonly sourceImage: string;
    /** Glance tags that pick the guest image. @default ["trove", <datastore>] */
    readonly imageTags?: readonly string[];
    /** Users can create instances of this version. @default true */
    readonly active?: boolean;
    /**
     * The datastore's default version (the seeds recommend one per datastore).
     * @default true for the datastore's first declared version when none is marked, so appending a
     * version never moves the default
     */
    readonly default?: boolean;
    /** Packages the guest installs (older, non-container guests). @default none */
    readonly packages?: readonly string[];
    /**
     * The guest agent's datastore manager class (Trove's `registry_ext`), a Python import path such
     * as "trove.guestagent.datastore.mariadb.manager.Manager": for a custom manager class baked into
     * the guest image. Trove does not import it when the version is created; guests of the version
     * load it when they start. Updated in place. Once set, removing it leaves the last value in Trove
     * (Trove's API cannot clear it): set the default explicitly to go back.
     * @default Trove's default for the manager (`REGISTRY_EXT_DEFAULTS` in trove/common/constants.py,
     * {@link TROVE_REGISTRY_EXT_DEFAULTS}); left unset, this package does not manage it and accepts
     * what Trove stored
     */
    readonly registryExt?: string;
    /**
     * How replicas of this version replicate (Trove's `repl_strategy`): a strategy Trove ships for the
     * manager by class name ("MysqlGTIDReplication" for mysql, "MariaDBGTIDReplication" for mariadb,
     * "PostgresqlReplicationStreaming" for postgresql), stored as its full import path, or the full
     * import path of a strategy of your own ("my.module.MyReplication"). Updated in place. Once set,
     * removing it leaves the last value in Trove (Trove's API cannot clear it).
     * @default the controller's trove.conf `[<manager>] replication_namespace` + `replication_strategy`,
     * upstream the manager's strategy above ({@link TROVE_REPLICATION_STRATEGIES}); left unset, this
     * package does not manage it and accepts what Trove stored
     */
    readonly replicationStrategy?: string;
    /**
     * Nova flavor ids (not names) instances of this version may use; Trove refuses any other
     * flavor. Written with trove-manage (`datastore_version_flavor_add`), so it needs
     * `troveManage`. @default none: every flavor
     */
    readonly flavors?: readonly string[];
    /**
     * Cinder volume type names instances of this version may use; Trove then requires one of them.
     * Written with trove-manage (`datastore_version_volume_type_add`). @default none: every volume type
     */
    readonly volumeTypes?: readonly string[];
}

/** A version with every default applied. */
export interface ResolvedDatastoreVersion {
    readonly datastore: string;
    readonly version: string;
    readonly manager: string;
    readonly versionNumber: string;
    readonly sourceImage: string;
    readonly imageTags: readonly string[];
    readonly active: boolean;
    readonly default: boolean;
    readonly packages: readonly string[];
    /** Undefined: not managed, Trove's default stays. */
    readonly registryExt?: string;
    /** The full import path Trove stores; undefined: not managed, Trove's default stays. */
    readonly replicationStrategy?: string;
    /** Empty: not restricted. */
    readonly flavors: readonly string[];
    /** Empty: not restricted. */
    readonly volumeTypes: readonly string[];
}

/** Stable key of a version, used in resource names and output maps: `<datastore>-<version>`. */
export function versionKey(spec: { datastore: string; version: string }): string {
    return `${spec.datastore}-${spec.version}`;
}

/**
 * YAML and `pulumi config set --path` read an unquoted 12 or 10.4 as a number, and 10.10 as 10.1:
 * a version must be written as a string, and the message says how.
 */
function numberNotString(value: number): string {
    return `${value} is a number, not a string: quote it in the stack file ("${value}"), or set it with ` +
        `\`pulumi config set --path --type string ...\`; unquoted, YAML reads 10.10 as 10.1`;
}

export function resolveVersions(specs: readonly DatastoreVersionSpec[]): ResolvedDatastoreVersion[] {
    const marked = new Set(specs.filter((s) => s.default === true).map((s) => s.datastore));
    const first = new Map<string, DatastoreVersionSpec>();
    for (const s of specs) if (!first.has(s.datastore)) first.set(s.datastore, s);
    return specs.map((s) => ({
        datastore: s.datastore,
        version: s.version,
        manager: s.manager ?? s.datastore,
        versionNumber: s.versionNumber ?? s.version,
        sourceImage: s.sourceImage,
        imageTags: s.imageTags ?? [TROVE_IMAGE_TAG, s.datastore],
        active: s.active ?? true,
        default: s.default ?? (!marked.has(s.datastore) && first.get(s.datastore) === s),
        packages: s.packages ?? [],
        registryExt: s.registryExt,
        replicationStrategy: replicationStrategyPath(s.manager ?? s.datastore, s.replicationStrategy),
        flavors: s.flavors ?? [],
        volumeTypes: s.volumeTypes ?? [],
    }));
}

/** Shape of a Trove string setting: Trove's schema wants 1 to 255 characters; one line. */
function checkTroveString(value: unknown, example: string): string[] {
    if (typeof value !== "string" || value.length === 0) return [`${show(value)} is empty or not a string; give ${example}, or leave it unset for Trove's default`];
    if (/[\r\n]/.test(value)) return [`${show(value)} spans lines; Trove writes it into the guest's configuration, one line`];
    if (value.length > MAX_TROVE_STRING_LENGTH) return [`is ${value.length} characters; Trove accepts at most ${MAX_TROVE_STRING_LENGTH}`];
    return [];
}

/** Problems with a `registryExt`; none when unset. Exported for testing. */
export function checkRegistryExt(value: unknown): string[] {
    if (value === undefined) return [];
    const shape = checkTroveString(value, "a Python import path such as \"trove.guestagent.datastore.mysql.manager.Manager\"");
    if (shape.length > 0) return shape;
    if (!DOTTED_NAME.test(value as string)) {
        return [`${show(value)} is not a Python import path of a class (package.module.Class, e.g. "trove.guestagent.datastore.mysql.manager.Manager")`];
    }
    return [];
}

/**
 * Problems with a `replicationStrategy` for a manager; none when unset. A bare class name must be
 * one Trove 26 ships for the manager; a path into Trove's own strategies package must be one of the
 * manager's; any other dotted path is taken as the operator's own strategy. Exported for testing.
 */
export function checkReplicationStrategy(manager: string, value: unknown): string[] {
    if (value === undefined) return [];
    const shape = checkTroveString(value, "a strategy such as \"MysqlGTIDReplication\"");
    if (shape.length > 0) return shape;
    const strategy = value as string;
    const known = (TROVE_REPLICATION_STRATEGIES as Record<string, readonly string[] | undefined>)[manager];
    const names = (known ?? []).map((path) => path.slice(path.lastIndexOf(".") + 1));
    if (IDENTIFIER.test(strategy)) {
        if (known === undefined) return [`${show(strategy)} is a bare class name, and Trove ships no strategies for manager ${show(manager)}; give the full import path (module.Class)`];
        if (replicationStrategyPath(manager, strategy) === undefined) {
            return [`${show(strategy)} is not a replication strategy Trove ships for manager ${manager} (${names.join(", ")}); give one of them, or the full import path (module.Class) of your own`];
        }
        return [];
    }
    if (!DOTTED_NAME.test(strategy)) {
        return [`${show(strategy)} is neither a class name (e.g. ${names[0] ?? "MysqlGTIDReplication"}) nor a Python import path (module.Class)`];
    }
    if (known !== undefined && strategy.startsWith(`${TROVE_REPLICATION_PACKAGE}.`) && !known.includes(strategy)) {
        return [`${show(strategy)} is not one of Trove's replication strategies for manager ${manager} (${known.join(", ")})`];
    }
    return [];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Every problem in a list of datastore versions; paths are `[i].field`. Exported for testing. */
export function validateDatastoreVersions(specs: readonly DatastoreVersionSpec[]): Problem[] {
    const problems: Problem[] = [];
    if (!Array.isArray(specs) || specs.length === 0) {
        return [{ path: "", message: "needs at least one datastore version, e.g. { datastore: \"mysql\", version: \"5.7.29\", sourceImage: \"mysql:5.7.29\" }" }];
    }
    const seen = new Map<string, number>();
    specs.forEach((spec, i) => {
        const at = `[${i}]`;
        if (typeof spec.datastore !== "string" || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(spec.datastore)) {
            problems.push({ path: `${at}.datastore`, message: `${show(spec.datastore)} is not a datastore name (lower-case letters and digits, e.g. "mysql"); it names the image repository` });
        }
        const manager = spec.manager ?? spec.datastore;
        if (!(CONTAINER_MANAGERS as readonly string[]).includes(manager)) {
            problems.push({
                path: `${at}.${spec.manager === undefined ? "datastore" : "manager"}`,
                message: `unknown datastore manager ${show(manager)}; Trove's container guests support ${CONTAINER_MANAGERS.join(", ")}${spec.manager === undefined ? " (set manager when the datastore name differs)" : ""}`,
            });
        }
        if (typeof spec.version === "number") {
            problems.push({ path: `${at}.version`, message: numberNotString(spec.version) });
        } else if (typeof spec.version !== "string" || !NAME.test(spec.version)) {
            problems.push({ path: `${at}.version`, message: `${show(spec.version)} is not a version name such as "5.7.29"` });
        } else if (spec.versionNumber === undefined) {
            const wrongTag = checkDockerTag(spec.version);
            if (wrongTag) problems.push({ path: `${at}.version`, message: `${wrongTag}; without a versionNumber the guest agent pulls the version name as the image tag (or set versionNumber, e.g. "10.11")` });
        }
        if (typeof spec.versionNumber === "number") {
            problems.push({ path: `${at}.versionNumber`, message: numberNotString(spec.versionNumber) });
        } else if (spec.versionNumber !== undefined && (typeof spec.versionNumber !== "string" || !/^\d+(\.\d+)*$/.test(spec.versionNumber))) {
            problems.push({ path: `${at}.versionNumber`, message: `${show(spec.versionNumber)} is not a version number such as "5.7.29"` });
        }
        const wrongImage = checkImageReference(spec.sourceImage);
        if (wrongImage) problems.push({ path: `${at}.sourceImage`, message: wrongImage });
        const tags = spec.imageTags ?? [TROVE_IMAGE_TAG, spec.datastore];
        if (tags.length === 0 || tags.length > MAX_IMAGE_TAGS) {
            problems.push({ path: `${at}.imageTags`, message: `has ${tags.length} tags; Trove accepts 1 to ${MAX_IMAGE_TAGS}` });
        }
        tags.forEach((tag: string, j: number) => {
            if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_IMAGE_TAG_LENGTH) {
                problems.push({ path: `${at}.imageTags[${j}]`, message: `${show(tag)} must be 1 to ${MAX_IMAGE_TAG_LENGTH} characters (Trove's limit)` });
            }
        });
        problems.push(...checkRegistryExt(spec.registryExt).map((message) => ({ path: `${at}.registryExt`, message })));
        problems.push(...checkReplicationStrategy(manager, spec.replicationStrategy).map((message) => ({ path: `${at}.replicationStrategy`, message })));
        if (spec.active === false && spec.default === true) {
            problems.push({ path: `${at}.default`, message: "an inactive version cannot be the default; Trove refuses it. Make it active or not default" });
        }
        const key = `${spec.datastore}\0${spec.version}`;
        if (seen.has(key)) {
            problems.push({ path: `${at}.version`, message: `${spec.datastore} ${spec.version} is already declared at [${seen.get(key)}]; each version once` });
        } else {
            seen.set(key, i);
        }
    });
    const resolved = resolveVersions(specs);
    // The guest pulls by number, so versions of a datastore that share a number share its image tag.
    const tagOwner = new Map<string, number>();
    resolved.forEach((v, i) => {
        const tag = `${v.datastore}:${v.versionNumber}`;
        const owner = tagOwner.get(tag);
        if (owner === undefined) {
            tagOwner.set(tag, i);
        } else if (resolved[owner].sourceImage !== v.sourceImage) {
            problems.push({
                path: `[${i}].sourceImage`,
                message: `${v.datastore} ${v.version} and ${resolved[owner].version} (at [${owner}]) both have version number ${v.versionNumber}, the image tag their guests pull, but different source images (${v.sourceImage}, ${resolved[owner].sourceImage}); give them the same image or different versionNumbers`,
            });
        }
    });
    const defaults = new Map<string, number[]>();
    const managerOf = new Map<string, string>();
    resolved.forEach((v, i) => {
        if (v.default) defaults.set(v.datastore, [...(defaults.get(v.datastore) ?? []), i]);
        const other = managerOf.get(v.manager);
        if (other !== undefined && other !== v.datastore) {
            problems.push({
                path: `[${i}].manager`,
                message: `datastores ${other} and ${v.datastore} both use manager ${v.manager}; the guest agent has one [${v.manager}] docker_image, so use one datastore per manager`,
            });
        }
        managerOf.set(v.manager, v.datastore);
    });
    for (const [datastore, indexes] of defaults) {
        if (indexes.length > 1) {
            problems.push({
                path: `[${indexes[1]}].default`,
                message: `${datastore} has ${indexes.length} default versions (${indexes.map((i) => resolved[i].version).join(", ")}); mark exactly one default`,
            });
        }
    }
    return problems;
}
