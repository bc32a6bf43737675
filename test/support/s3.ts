import { createHash, createHmac } from "crypto";

/** An S3 endpoint and the credentials to sign for it (the dev cloud's: `scripts/devcloud/swift.sh env`). */
export interface S3Target {
    readonly endpoint: string; // http://127.0.0.1:8080
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

export interface S3Response { status: number; body: Buffer }

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();
// RFC 3986 unreserved characters stay, everything else is %XX (what SigV4 signs).
const encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * One path-style S3 request signed with Signature Version 4, as every S3 client signs it (the tests'
 * own, so they need no AWS SDK): `/<bucket>[/<key>]`, the query in `query`.
 */
export async function s3Request(t: S3Target, method: string, bucket: string, key = "", query: Record<string, string> = {},
    body: Buffer = Buffer.alloc(0)): Promise<S3Response> {
    const url = new URL(t.endpoint);
    const canonicalPath = `/${encode(bucket)}${key ? `/${key.split("/").map(encode).join("/")}` : ""}`;
    const canonicalQuery = Object.keys(query).sort().map((k) => `${encode(k)}=${encode(query[k])}`).join("&");
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const payloadHash = sha256(body);
    const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate };
    const signed = Object.keys(headers).sort();
    const canonicalRequest = [method, canonicalPath, canonicalQuery, ...signed.map((h) => `${h}:${headers[h]}`), "",
        signed.join(";"), payloadHash].join("\n");
    const scope = `${day}/${t.region}/s3/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
    const key4 = ["s3", "aws4_request"].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${t.secretAccessKey}`, day), t.region));
    const signature = createHmac("sha256", key4).update(toSign).digest("hex");
    const response = await fetch(`${t.endpoint}${canonicalPath}${canonicalQuery ? `?${canonicalQuery}` : ""}`, {
        method,
        headers: {
            ...headers,
            authorization: `AWS4-HMAC-SHA256 Credential=${t.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
        },
        body: method === "GET" || method === "HEAD" || method === "DELETE" ? undefined : body,
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

async function must(t: S3Target, method: string, bucket: string, key = "", query: Record<string, string> = {}): Promise<Buffer> {
    const r = await s3Request(t, method, bucket, key, query);
    if (r.status >= 300) throw new Error(`S3 ${method} /${bucket}/${key} answered ${r.status}: ${r.body.toString("utf8")}`);
    return r.body;
}

const unescapeXml = (s: string): string =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "'").replace(/&amp;/g, "&");

/** The buckets the credentials' project owns. */
export async function listBuckets(t: S3Target): Promise<string[]> {
    const xml = (await must(t, "GET", "")).toString("utf8");
    return [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => unescapeXml(m[1]));
}

/** Every key in the bucket under `prefix` (ListObjectsV2, all pages). */
export async function listKeys(t: S3Target, bucket: string, prefix = ""): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const query: Record<string, string> = { "list-type": "2", prefix };
        if (token) query["continuation-token"] = token;
        const xml = (await must(t, "GET", bucket, "", query)).toString("utf8");
        keys.push(...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1])));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? "") : undefined;
    } while (token);
    return keys;
}

export const getObject = (t: S3Target, bucket: string, key: string): Promise<Buffer> => must(t, "GET", bucket, key);
export const createBucket = async (t: S3Target, bucket: string): Promise<void> => { await must(t, "PUT", bucket); };

/** Deletes every object, then the bucket; a bucket that is not there is fine. */
export async function deleteBucket(t: S3Target, bucket: string): Promise<void> {
    if ((await s3Request(t, "HEAD", bucket)).status === 404) return;
    for (const key of await listKeys(t, bucket)) await must(t, "DELETE", bucket, key);
    await must(t, "DELETE", bucket);
}
