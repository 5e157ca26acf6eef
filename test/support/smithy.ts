// Validates awsJson1_1 request and response bodies against a Smithy JSON AST model (the subset
// of AWS's published Secrets Manager model in test/fixtures/aws/). What it checks: the operation
// exists; required members are present; no member the model does not declare; each value has
// its shape's JSON type (string, integer/long within range, boolean, blob as base64, timestamp
// as epoch seconds, list, map, structure, enum); lengths, patterns and ranges. Every problem is
// reported, with the member path.
import { readFileSync } from 'node:fs';

interface MemberRef {
  readonly target: string;
  readonly traits?: Record<string, unknown>;
}
interface Shape {
  readonly type: string;
  readonly members?: Record<string, MemberRef>;
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly input?: { target: string };
  readonly output?: { target: string };
  readonly errors?: readonly { target: string }[];
  readonly traits?: Record<string, unknown>;
}
export interface SmithyModel {
  readonly source: { readonly commit: string; readonly repository: string; readonly path: string };
  readonly shapes: Record<string, Shape>;
}

const NS = 'com.amazonaws.secretsmanager#';
const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#Integer': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#Timestamp': 'timestamp',
  'smithy.api#Blob': 'blob',
  'smithy.api#Unit': 'structure',
};

export function loadSecretsManagerModel(): SmithyModel {
  const url = new URL('../fixtures/aws/secrets-manager.subset.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SmithyModel;
}

export class SmithyValidator {
  readonly #model: SmithyModel;
  constructor(model: SmithyModel) {
    this.#model = model;
  }

  /** The operation's shape, or null when the service has no such operation. */
  operation(name: string): Shape | null {
    const service = Object.values(this.#model.shapes).find((s) => s.type === 'service');
    const listed = (service as { operations?: { target: string }[] } | undefined)?.operations;
    if (!/^[A-Za-z]+$/.test(name) || !listed?.some((o) => o.target === NS + name)) return null;
    return this.#model.shapes[NS + name] ?? null;
  }

  /** Error shape names the operation may answer with (`ResourceNotFoundException`, ...). */
  errors(operation: string): string[] {
    return (this.operation(operation)?.errors ?? []).map((e) => e.target.slice(NS.length));
  }

  input(operation: string, body: unknown): string[] {
    const op = this.operation(operation);
    if (op === null) return [`unknown operation ${operation}`];
    return this.#check(op.input?.target ?? 'smithy.api#Unit', body, operation);
  }

  output(operation: string, body: unknown): string[] {
    const op = this.operation(operation);
    if (op === null) return [`unknown operation ${operation}`];
    return this.#check(op.output?.target ?? 'smithy.api#Unit', body, `${operation} output`);
  }

  #check(target: string, value: unknown, path: string, traits?: Record<string, unknown>): string[] {
    const shape: Shape | undefined =
      this.#model.shapes[target] ??
      (PRELUDE[target] === undefined ? undefined : { type: PRELUDE[target] });
    if (shape === undefined) return [`${path}: the model has no shape ${target}`];
    const t = { ...shape.traits, ...traits };
    const problems: string[] = [];
    const type = shape.type;
    const isObj = typeof value === 'object' && value !== null && !Array.isArray(value);
    switch (type) {
      case 'structure': {
        if (!isObj) return [`${path}: expected an object`];
        const members = shape.members ?? {};
        for (const k of Object.keys(value))
          if (!(k in members)) problems.push(`${path}.${k}: unknown member`);
        for (const [name, m] of Object.entries(members)) {
          const v = (value as Record<string, unknown>)[name];
          if (v === undefined || v === null) {
            if (m.traits?.['smithy.api#required'] !== undefined)
              problems.push(`${path}.${name}: required`);
            continue;
          }
          problems.push(...this.#check(m.target, v, `${path}.${name}`, m.traits));
        }
        return problems;
      }
      case 'list': {
        if (!Array.isArray(value)) return [`${path}: expected a list`];
        problems.push(...lengthProblems(path, value.length, t));
        value.forEach((v, i) =>
          problems.push(
            ...this.#check(shape.member!.target, v, `${path}[${i}]`, shape.member!.traits),
          ),
        );
        return problems;
      }
      case 'map': {
        if (!isObj) return [`${path}: expected a map`];
        const entries = Object.entries(value);
        problems.push(...lengthProblems(path, entries.length, t));
        for (const [k, v] of entries) {
          problems.push(...this.#check(shape.key!.target, k, `${path} key ${JSON.stringify(k)}`));
          problems.push(...this.#check(shape.value!.target, v, `${path}[${JSON.stringify(k)}]`));
        }
        return problems;
      }
      case 'string': {
        if (typeof value !== 'string') return [`${path}: expected a string`];
        problems.push(...lengthProblems(path, [...value].length, t));
        const pattern = t['smithy.api#pattern'];
        if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value))
          problems.push(`${path}: does not match ${pattern}`);
        return problems;
      }
      case 'enum': {
        const values = Object.values(shape.members ?? {}).map(
          (m) => m.traits?.['smithy.api#enumValue'],
        );
        return typeof value === 'string' && values.includes(value)
          ? []
          : [`${path}: expected one of ${values.join(', ')}`];
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value))
          return [`${path}: expected an integer`];
        const range = t['smithy.api#range'] as { min?: number; max?: number } | undefined;
        if (range?.min !== undefined && value < range.min)
          problems.push(`${path}: below ${range.min}`);
        if (range?.max !== undefined && value > range.max)
          problems.push(`${path}: above ${range.max}`);
        return problems;
      }
      case 'boolean':
        return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
      case 'timestamp':
        return typeof value === 'number' && Number.isFinite(value)
          ? []
          : [`${path}: expected epoch seconds`];
      case 'blob': {
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
          return [`${path}: expected base64`];
        return lengthProblems(path, Buffer.from(value, 'base64').length, t);
      }
      default:
        return [`${path}: shape type ${type} is not supported by this validator`];
    }
  }
}

function lengthProblems(path: string, n: number, traits: Record<string, unknown>): string[] {
  const len = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  const out: string[] = [];
  if (len?.min !== undefined && n < len.min) out.push(`${path}: shorter than ${len.min}`);
  if (len?.max !== undefined && n > len.max) out.push(`${path}: longer than ${len.max}`);
  return out;
}
