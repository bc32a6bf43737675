// Reading Keystone's catalog: the one place the client picks Trove's and Glance's endpoints.
import { CatalogService, catalogEndpoint, troveEndpoints } from "../../components/datastores/trove-api";

const authUrl = "https://keystone.example:5000/v3";
const database = (...endpoints: [string, string, string][]): CatalogService =>
    ({ type: "database", endpoints: endpoints.map(([iface, region, url]) => ({ interface: iface, region, url })) });
const catalog: CatalogService[] = [
    { type: "identity", endpoints: [{ interface: "public", region: "RegionOne", url: authUrl }] },
    database(
        ["internal", "RegionOne", "http://10.0.0.1:8779/v1.0/%(tenant_id)s"],
        ["public", "RegionOne", "https://trove.one:8779/v1.0/%(tenant_id)s"],
        ["public", "RegionTwo", "https://trove.two:8779/v1.0/%(tenant_id)s"],
    ),
    { type: "image", endpoints: [{ interface: "public", region: "RegionOne", url: "https://glance.one:9292/" }, { interface: "public", region: "RegionTwo", url: "https://glance.two:9292" }] },
];

describe("catalogEndpoint", () => {
    test("no region, no interface: the first public endpoint, whichever region", () => {
        expect(catalogEndpoint(catalog, "database", {})).toBe("https://trove.one:8779/v1.0/%(tenant_id)s");
    });

    test("the connection's region", () => {
        expect(catalogEndpoint(catalog, "database", { region: "RegionTwo" })).toBe("https://trove.two:8779/v1.0/%(tenant_id)s");
        expect(catalogEndpoint(catalog, "image", { region: "RegionTwo" })).toBe("https://glance.two:9292");
    });

    test("the connection's interface", () => {
        expect(catalogEndpoint(catalog, "database", { endpointInterface: "internal" })).toBe("http://10.0.0.1:8779/v1.0/%(tenant_id)s");
    });

    test("a region the service is not in: none", () => {
        expect(catalogEndpoint(catalog, "database", { region: "RegionThree" })).toBeUndefined();
    });

    test("a service the catalog lacks: none", () => {
        expect(catalogEndpoint(catalog, "key-manager", {})).toBeUndefined();
    });

    test("no fallback between interfaces: internal asked, only public listed (and the other way) gives none", () => {
        expect(catalogEndpoint(catalog, "database", { region: "RegionTwo", endpointInterface: "internal" })).toBeUndefined();
        expect(catalogEndpoint(catalog, "database", { endpointInterface: "admin" })).toBeUndefined();
        expect(catalogEndpoint([database(["internal", "RegionOne", "http://i"])], "database", {})).toBeUndefined();
    });

    test("only the first service of a type counts, as it always has", () => {
        const twice = [database(["public", "RegionOne", "http://first"]), database(["public", "RegionTwo", "http://second"])];
        expect(catalogEndpoint(twice, "database", {})).toBe("http://first");
        expect(catalogEndpoint(twice, "database", { region: "RegionTwo" })).toBeUndefined();
    });
});

describe("troveEndpoints", () => {
    test("Trove's URL for the project, and Glance's without its trailing slash, from one region", () => {
        expect(troveEndpoints(catalog, "p1", { authUrl })).toEqual({ database: "https://trove.one:8779/v1.0/p1", image: "https://glance.one:9292" });
        expect(troveEndpoints(catalog, "p1", { authUrl, region: "RegionTwo" })).toEqual({ database: "https://trove.two:8779/v1.0/p1", image: "https://glance.two:9292" });
    });

    test.each([
        ["http://t/v1.0/%(tenant_id)s", "http://t/v1.0/p1"],
        ["http://t/v1.0/$(tenant_id)s", "http://t/v1.0/p1"],
        ["http://t/v1.0/%(project_id)s/", "http://t/v1.0/p1"],
        ["http://t/v1.0/p1", "http://t/v1.0/p1"],
        ["http://t/v1.0", "http://t/v1.0/p1"],
        ["http://t/v1.0//", "http://t/v1.0/p1"],
    ])("catalog URL %s -> %s", (url, expected) => {
        expect(troveEndpoints([database(["public", "R", url])], "p1", { authUrl }).database).toBe(expected);
    });

    test("no image service: no Glance endpoint, and no error", () => {
        expect(troveEndpoints([database(["public", "R", "http://t"])], "p1", { authUrl }).image).toBeUndefined();
    });

    test("no database service: the error says so", () => {
        expect(() => troveEndpoints([catalog[0]], "p1", { authUrl })).toThrow(
            `Keystone at ${authUrl} lists no public "database" endpoint (its catalog has no "database" service); is trove-api registered in the catalog?`);
    });

    test("a database service with no endpoints: the error says so", () => {
        expect(() => troveEndpoints([database()], "p1", { authUrl })).toThrow(/\(its "database" service has no endpoints\)/);
    });

    test("the wrong region: the error names it and lists what there is", () => {
        expect(() => troveEndpoints(catalog, "p1", { authUrl, region: "RegionThree" })).toThrow(
            `Keystone at ${authUrl} lists no public "database" endpoint in region RegionThree ` +
            `(its "database" endpoints: internal in RegionOne, public in RegionOne, public in RegionTwo); is trove-api registered in the catalog?`);
    });

    test("the wrong interface: no fallback to public, and the error names the interface", () => {
        expect(() => troveEndpoints(catalog, "p1", { authUrl, region: "RegionTwo", endpointInterface: "internal" }))
            .toThrow(/lists no internal "database" endpoint in region RegionTwo/);
    });
});
