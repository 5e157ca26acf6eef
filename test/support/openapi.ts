// Validates requests (and, loosely, responses) against GitHub's own OpenAPI description from
// @octokit/openapi, for the emulator in tests. The description is 13 MB: it is read once per
// test process, and only the operations actually called are compiled, on first use.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RequestValidator, ValidatedRequest } from '../../src/sandbox/emulator/index.ts';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
  check?: ValidateFunction;
}

const BASE = 'https://api.github.com/openapi';
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Compiled {
  params: Parameter[];
  body: ValidateFunction | null;
  bodyRequired: boolean;
  responses: Map<number, ValidateFunction | null | 'undocumented'>;
  operation: Json;
}

class OpenApiValidator implements RequestValidator {
  readonly #spec: Json;
  readonly #ajv: Ajv;
  readonly #coercing: Ajv;
  readonly #ops = new Map<string, Compiled>();

  constructor(spec: Json) {
    this.#spec = spec;
    stripUntypedNullable(spec['components']);
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ $id: BASE, components: spec['components'] });
    this.#coercing = new Ajv({ strict: false, allErrors: true, coerceTypes: true, logger: false });
  }

  #compile(method: string, template: string): Compiled | null {
    const key = `${method} ${template}`;
    const cached = this.#ops.get(key);
    if (cached) return cached;
    const item = (this.#spec['paths'] as Record<string, Json>)[template];
    const operation = item?.[method.toLowerCase()] as Json | undefined;
    if (!item || !operation) return null;
    const raw = [
      ...((item['parameters'] as Json[]) ?? []),
      ...((operation['parameters'] as Json[]) ?? []),
    ];
    const params = raw.map((p) => {
      const param = this.#deref(p) as unknown as Parameter;
      // Path and query values arrive as strings: coerce them as a server would.
      const schema = { type: 'object', properties: { v: param.schema ?? {} } };
      return { ...param, check: this.#coercing.compile(schema) };
    });
    const requestBody = operation['requestBody'] as Json | undefined;
    const schema = (requestBody?.['content'] as Record<string, Json> | undefined)?.[
      'application/json'
    ]?.['schema'];
    const compiled: Compiled = {
      params,
      body: schema ? this.#ajv.compile(rebase(schema) as Json) : null,
      bodyRequired: requestBody?.['required'] === true,
      responses: new Map(),
      operation,
    };
    this.#ops.set(key, compiled);
    return compiled;
  }

  #deref(v: unknown, depth = 0): unknown {
    if (depth > 20 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.#deref(x, depth + 1));
    const ref = (v as Json)['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((o, k) => (o as Json | undefined)?.[k], this.#spec);
      return this.#deref(target, depth + 1);
    }
    return Object.fromEntries(
      Object.entries(v as Json).map(([k, x]) => [k, this.#deref(x, depth + 1)]),
    );
  }

  async validateRequest(req: ValidatedRequest): Promise<string[]> {
    const op = this.#compile(req.method, req.template);
    if (!op)
      return [`${req.method} ${req.template} is not an operation in GitHub's OpenAPI description`];
    const errors: string[] = [];
    for (const p of op.params) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      const value = p.in === 'path' ? req.params[p.name] : (req.query.get(p.name) ?? undefined);
      if (value === undefined) {
        if (p.required) errors.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      const check = p.check;
      if (check && !check({ v: value }))
        errors.push(
          ...(check.errors ?? []).map(
            (e) => `${p.in} parameter ${p.name} ${e.message ?? 'is invalid'}`,
          ),
        );
    }
    if (req.body === undefined) {
      if (op.bodyRequired) errors.push('request body is required');
    } else if (op.body && !op.body(req.body)) {
      errors.push(
        ...(op.body.errors ?? []).map(
          (e) => `/requestBody${e.instancePath} ${e.message ?? 'is invalid'}`,
        ),
      );
    }
    return errors;
  }

  /**
   * Checks the fields the emulator does send against the documented types. Missing required
   * fields are ignored: the emulator models the fields rekey reads, not all of GitHub's.
   */
  async validateResponse(res: {
    method: string;
    template: string;
    status: number;
    body: unknown;
  }): Promise<string[]> {
    const op = this.#compile(res.method, res.template);
    if (!op) return [];
    if (!op.responses.has(res.status)) {
      const responses = op.operation['responses'] as Record<string, Json>;
      const response = this.#deref(responses[String(res.status)]) as Json | undefined;
      const schema = (response?.['content'] as Record<string, Json> | undefined)?.[
        'application/json'
      ]?.['schema'];
      op.responses.set(
        res.status,
        response === undefined
          ? 'undocumented'
          : schema
            ? this.#ajv.compile(rebase(schema) as Json)
            : null,
      );
    }
    const validate = op.responses.get(res.status);
    if (validate === undefined || validate === 'undocumented')
      return [`status ${res.status} is not documented`];
    if (validate === null || validate(res.body)) return [];
    const errors = (validate.errors ?? []).filter(
      (e) =>
        // GitHub sends null for some fields its description types as non-null (label
        // `description` in pull requests); a null is not treated as a contradiction.
        !(e.keyword === 'type' && valueAt(res.body, e.instancePath) === null) &&
        e.keyword !== 'required' &&
        e.keyword !== 'oneOf' &&
        e.keyword !== 'anyOf' &&
        !e.schemaPath.includes('Of/'),
    );
    return errors.map((e) => `response${e.instancePath} ${e.message ?? 'is invalid'}`);
  }
}

function valueAt(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (o, k) => (o !== null && typeof o === 'object' ? (o as Json)[k] : undefined),
      body,
    );
}

/** Rewrites local `#/components/...` refs of an operation schema to the shared components. */
function rebase(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(rebase);
  const o = schema as Json;
  const entries = Object.entries(o)
    .filter(([k]) => k !== 'nullable' || 'type' in o)
    .map(([k, v]): [string, unknown] =>
      k === 'enum' && o['nullable'] === true && Array.isArray(v) ? [k, [...v, null]] : [k, v],
    );
  return Object.fromEntries(
    entries.map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${BASE}${v}` : rebase(v),
    ]),
  );
}

/** Ajv rejects `nullable` without `type` (145 places in GitHub's description); fixes enums. */
function stripUntypedNullable(node: unknown): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    const o = n as Json;
    if ('nullable' in o && !('type' in o)) delete o['nullable'];
    // GitHub means `nullable` + `enum` as "one of these, or null"; Ajv needs null in the enum.
    if (o['nullable'] === true && Array.isArray(o['enum']) && !o['enum'].includes(null))
      o['enum'].push(null);
    stack.push(...Object.values(o));
  }
}

let shared: Promise<OpenApiValidator> | null = null;

/** The process-wide validator; the description is loaded once. */
export function openApiValidator(): RequestValidator {
  shared ??= (async () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@octokit/openapi');
    const file = path.join(path.dirname(main), 'generated', 'api.github.com.json');
    return new OpenApiValidator(JSON.parse(await readFile(file, 'utf8')) as Json);
  })();
  const ready = shared;
  return {
    validateRequest: async (req) => (await ready).validateRequest(req),
    validateResponse: async (res) => (await ready).validateResponse(res),
  };
}
