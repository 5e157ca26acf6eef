// A loopback AWS Secrets Manager endpoint (node:http on 127.0.0.1) for the aws-secret target's
// tests. It serves the operations rekey uses (and GetSecretValue, to read what a consumer
// would), speaks awsJson1_1 as the SDK does, and validates EVERY request body against AWS's
// published Smithy model (test/fixtures/aws/, via smithy.ts): an unknown operation, a missing
// required member, a wrong type, length, pattern or enum, or a member the model does not
// declare is answered 400 ValidationException and recorded in `invalid`, which tests assert is
// empty. Its own responses are validated too (a bug here throws instead of passing silently),
// and every request's SigV4 signature is recomputed with the one test access key it accepts.
//
// Staging-label semantics, as AWS documents them (what the real service does beyond this is
// unverified here): a label is on at most one version; PutSecretValue without VersionStages
// attaches AWSCURRENT; whenever AWSCURRENT moves, the version it left gets AWSPREVIOUS;
// UpdateSecretVersionStage needs RemoveFromVersionId when the label is on another version,
// and AWSCURRENT can only be moved, never removed; a ClientRequestToken that names an existing
// version is a no-op with the same data and ResourceExistsException with different data.
// Versions with no label are deprecated: DescribeSecret omits them, ListSecretVersionIds lists
// them only with IncludeDeprecated.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSecretsManagerModel, SmithyValidator } from './smithy.ts';

export interface EndpointVersion {
  secretString?: string;
  secretBinary?: string;
  stages: Set<string>;
  created: number;
}
export interface EndpointSecret {
  arn: string;
  name: string;
  versions: Map<string, EndpointVersion>;
  rotationEnabled: boolean;
  deleted: boolean;
}
export interface LoggedCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
  readonly authorization: string;
}

type Body = Record<string, unknown>;
class AwsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';
let validator: SmithyValidator | undefined;

export class AwsSecretsEndpoint {
  readonly secrets = new Map<string, EndpointSecret>();
  readonly calls: LoggedCall[] = [];
  readonly invalid: string[] = [];
  /** Called before each write (PutSecretValue, UpdateSecretVersionStage); throw to refuse it. */
  beforeWrite: ((operation: string, n: number) => void) | undefined;
  /** The one access key the endpoint accepts; every request's SigV4 signature is recomputed. */
  readonly credentials = { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-only' };
  /** Operations the caller's IAM policy does not allow: answered AccessDeniedException. */
  readonly deny = new Set<string>();
  /** Writes done so far. */
  writes = 0;
  /**
   * After this many writes the process "crashed": the answer to the last write is lost and
   * every further request is dropped.
   */
  crashAfterWrites: number | undefined;
  #server: Server | undefined;
  #clock = 1_700_000_000;

  get url(): string {
    const a = this.#server?.address() as AddressInfo | undefined;
    if (!a) throw new Error('endpoint not started');
    return `http://127.0.0.1:${a.port}`;
  }

  /** A secret as someone created it, e.g. with Terraform: one version holding AWSCURRENT. */
  createSecret(name: string, initial?: { versionId: string; value: string }): EndpointSecret {
    const s: EndpointSecret = {
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
      name,
      versions: new Map(),
      rotationEnabled: false,
      deleted: false,
    };
    if (initial)
      s.versions.set(initial.versionId, {
        secretString: initial.value,
        stages: new Set(['AWSCURRENT']),
        created: this.#clock++,
      });
    this.secrets.set(name, s);
    return s;
  }

  /** versionId -> its labels, sorted; deprecated versions included (empty list). */
  labels(name: string): Record<string, string[]> {
    const s = this.secrets.get(name);
    if (!s) throw new Error(`no secret ${name}`);
    return Object.fromEntries([...s.versions].map(([id, v]) => [id, [...v.stages].sort()]));
  }

  /** What a consumer reading `stage` gets. */
  valueAt(name: string, stage: string): string | undefined {
    const v = [...(this.secrets.get(name)?.versions.values() ?? [])].find((x) =>
      x.stages.has(stage),
    );
    return v?.secretString;
  }

  operations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  async start(): Promise<this> {
    validator ??= new SmithyValidator(loadSecretsManagerModel());
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(
        (r) => {
          if (r === null) {
            req.socket.destroy();
            return;
          }
          res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(r.body));
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`endpoint bug: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.#server) return resolve();
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: Body } | null> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.crashAfterWrites !== undefined && this.writes >= this.crashAfterWrites) return null;
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.')
      ? target.slice('secretsmanager.'.length)
      : '';
    const authorization = String(req.headers['authorization'] ?? '');
    let body: Body = {};
    const answer = (status: number, out: Body) => {
      this.calls.push({ operation, body, status, authorization });
      return { status, body: out };
    };
    const fail = (type: string, message: string, status = 400) =>
      answer(status, { __type: type, message });
    if (req.method !== 'POST' || req.url !== '/')
      return fail('UnknownOperationException', `${req.method} ${req.url}`);
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
      return fail('SerializationException', 'expected application/x-amz-json-1.1');
    const signature = sigV4Problem(req, Buffer.concat(chunks), this.credentials);
    if (signature !== null) return fail('InvalidSignatureException', signature);
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as Body;
    } catch {
      return fail('SerializationException', 'the body is not a JSON object');
    }
    const problems = validator!.input(operation, body);
    if (problems.length > 0) {
      this.invalid.push(...problems);
      return fail('ValidationException', problems.join('; '));
    }
    if (this.deny.has(operation))
      return fail(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/rekey/test is not authorized to perform: secretsmanager:${operation} on resource: ${String(body['SecretId'])} because no identity-based policy allows the secretsmanager:${operation} action`,
      );
    try {
      const out = this.#run(operation, body);
      // The write that reaches the limit is done, but its answer is lost with the process.
      if (this.crashAfterWrites !== undefined && this.writes >= this.crashAfterWrites) return null;
      const outProblems = validator!.output(operation, out);
      if (outProblems.length > 0) throw new Error(`invalid response: ${outProblems.join('; ')}`);
      return answer(200, out);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      if (!validator!.errors(operation).includes(e.type) && e.type !== 'InternalServiceError')
        throw new Error(`${operation} cannot answer ${e.type}`);
      return fail(e.type, e.message, e.status);
    }
  }

  #secret(body: Body): EndpointSecret {
    const id = String(body['SecretId']);
    const s = [...this.secrets.values()].find((x) => x.name === id || x.arn === id);
    if (!s)
      throw new AwsError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    return s;
  }

  #write(operation: string): void {
    this.beforeWrite?.(operation, this.writes);
    this.writes++;
  }

  /** Attaches `stage` to `to`, off every other version; AWSCURRENT leaving a version leaves AWSPREVIOUS. */
  #attach(s: EndpointSecret, stage: string, to: string): void {
    for (const [id, v] of s.versions)
      if (id !== to && v.stages.delete(stage) && stage === 'AWSCURRENT') {
        for (const w of s.versions.values()) w.stages.delete('AWSPREVIOUS');
        v.stages.add('AWSPREVIOUS');
      }
    s.versions.get(to)!.stages.add(stage);
  }

  #run(operation: string, body: Body): Body {
    switch (operation) {
      case 'DescribeSecret': {
        const s = this.#secret(body);
        return {
          ARN: s.arn,
          Name: s.name,
          RotationEnabled: s.rotationEnabled,
          ...(s.deleted ? { DeletedDate: this.#clock } : {}),
          VersionIdsToStages: Object.fromEntries(
            [...s.versions]
              .filter(([, v]) => v.stages.size > 0)
              .map(([id, v]) => [id, [...v.stages]]),
          ),
        };
      }
      case 'ListSecretVersionIds': {
        const s = this.#secret(body);
        const all = [...s.versions].filter(
          ([, v]) => body['IncludeDeprecated'] === true || v.stages.size > 0,
        );
        const max = typeof body['MaxResults'] === 'number' ? body['MaxResults'] : 100;
        const from = typeof body['NextToken'] === 'string' ? Number(body['NextToken']) : 0;
        if (!Number.isInteger(from) || from < 0 || from > all.length)
          throw new AwsError('InvalidNextTokenException', 'invalid NextToken');
        const page = all.slice(from, from + max);
        return {
          ARN: s.arn,
          Name: s.name,
          Versions: page.map(([id, v]) => ({
            VersionId: id,
            ...(v.stages.size > 0 ? { VersionStages: [...v.stages] } : {}),
            CreatedDate: v.created,
          })),
          ...(from + max < all.length ? { NextToken: String(from + max) } : {}),
        };
      }
      case 'GetSecretValue': {
        const s = this.#secret(body);
        const stage = typeof body['VersionStage'] === 'string' ? body['VersionStage'] : undefined;
        const vid = typeof body['VersionId'] === 'string' ? body['VersionId'] : undefined;
        const entry = [...s.versions].find(([id, v]) =>
          vid !== undefined
            ? id === vid && (stage === undefined || v.stages.has(stage))
            : v.stages.has(stage ?? 'AWSCURRENT'),
        );
        if (!entry)
          throw new AwsError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value.",
          );
        const [id, v] = entry;
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: id,
          ...(v.secretString === undefined ? {} : { SecretString: v.secretString }),
          ...(v.secretBinary === undefined ? {} : { SecretBinary: v.secretBinary }),
          VersionStages: [...v.stages],
          CreatedDate: v.created,
        };
      }
      case 'PutSecretValue': {
        const s = this.#secret(body);
        if (s.deleted)
          throw new AwsError('InvalidRequestException', 'the secret is scheduled for deletion');
        const str = body['SecretString'] as string | undefined;
        const bin = body['SecretBinary'] as string | undefined;
        if ((str === undefined) === (bin === undefined))
          throw new AwsError(
            'InvalidParameterException',
            'set exactly one of SecretString and SecretBinary',
          );
        const token = (body['ClientRequestToken'] as string | undefined) ?? crypto.randomUUID();
        const stages = (body['VersionStages'] as string[] | undefined) ?? ['AWSCURRENT'];
        const existing = s.versions.get(token);
        if (existing) {
          if (existing.secretString !== str || existing.secretBinary !== bin)
            throw new AwsError(
              'ResourceExistsException',
              'a version with this ClientRequestToken holds other data',
            );
          return {
            ARN: s.arn,
            Name: s.name,
            VersionId: token,
            VersionStages: [...existing.stages],
          };
        }
        this.#write(operation);
        s.versions.set(token, {
          ...(str === undefined ? {} : { secretString: str }),
          ...(bin === undefined ? {} : { secretBinary: bin }),
          stages: new Set(),
          created: this.#clock++,
        });
        for (const st of stages) this.#attach(s, st, token);
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: token,
          VersionStages: [...s.versions.get(token)!.stages],
        };
      }
      case 'UpdateSecretVersionStage': {
        const s = this.#secret(body);
        if (s.deleted)
          throw new AwsError('InvalidRequestException', 'the secret is scheduled for deletion');
        const stage = String(body['VersionStage']);
        const to = body['MoveToVersionId'] as string | undefined;
        const from = body['RemoveFromVersionId'] as string | undefined;
        const holder = [...s.versions].find(([, v]) => v.stages.has(stage))?.[0];
        if (to === undefined && from === undefined)
          throw new AwsError(
            'InvalidParameterException',
            'set MoveToVersionId, RemoveFromVersionId or both',
          );
        if (to !== undefined && !s.versions.has(to))
          throw new AwsError('ResourceNotFoundException', `no version ${to}`);
        if (from !== undefined && holder !== from)
          throw new AwsError(
            'InvalidParameterException',
            `the label ${stage} is not on version ${from}`,
          );
        if (to !== undefined && holder !== undefined && holder !== to && from !== holder)
          throw new AwsError(
            'InvalidParameterException',
            `the label ${stage} is on ${holder}: set RemoveFromVersionId`,
          );
        if (to === undefined && stage === 'AWSCURRENT')
          throw new AwsError(
            'InvalidParameterException',
            'AWSCURRENT can only be moved to another version',
          );
        this.#write(operation);
        if (to !== undefined) this.#attach(s, stage, to);
        else s.versions.get(from!)!.stages.delete(stage);
        return { ARN: s.arn, Name: s.name };
      }
      default:
        throw new Error(`the endpoint does not serve ${operation}`);
    }
  }
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();

/**
 * Recomputes the request's AWS Signature Version 4 (the published algorithm: canonical
 * request, string to sign, the derived signing key) with the endpoint's credentials and
 * compares it; null when it matches, else why not.
 */
function sigV4Problem(
  req: IncomingMessage,
  body: Buffer,
  creds: { accessKeyId: string; secretAccessKey: string },
): string | null {
  const auth = String(req.headers['authorization'] ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/secretsmanager\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'the request is not SigV4-signed for secretsmanager';
  const [, key, date, region, signed, signature] = m as unknown as string[];
  if (key !== creds.accessKeyId) return `unknown access key ${key}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date!)) return 'X-Amz-Date does not match the credential scope';
  const names = signed!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-target'))
    return 'host, x-amz-date and x-amz-target must be signed';
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payload = String(req.headers['x-amz-content-sha256'] ?? sha256(body));
  if (payload !== sha256(body)) return "x-amz-content-sha256 is not the body's hash";
  const canonical = ['POST', '/', '', canonicalHeaders, signed, payload].join('\n');
  const scope = `${date}/${region}/secretsmanager/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let k = hmac(`AWS4${creds.secretAccessKey}`, date!);
  for (const part of [region!, 'secretsmanager', 'aws4_request']) k = hmac(k, part);
  return createHmac('sha256', k).update(toSign).digest('hex') === signature
    ? null
    : 'the signature does not match';
}
