/**
 * Method options: parsing `--opts JSON` with an adapter's zod schema (every problem in one
 * line), a stable key of the parsed options (part of the resume key), and the option table
 * `facebench methods` prints (from the schema's JSON Schema, zod's `toJSONSchema`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../evaluators/errors.js';
import type { MethodAdapter } from './adapter.js';
import { canonicalJson, codeDigest } from '../evaluators/util/index.js';

/** One option of a method, as `facebench methods` lists it. */
export interface OptionDescription {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

/** Parse raw options (an object or a JSON string) with the adapter's schema; InputError naming every problem. */
export function parseMethodOptions<O>(adapter: MethodAdapter<O>, raw: unknown, source = '--opts'): O {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : JSON.parse(value);
    } catch (error) {
      throw new InputError(source, `not valid JSON (${(error as Error).message}); pass an object such as '{"noise": 0.5}'`);
    }
  }
  const parsed = adapter.options.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new InputError(source, `invalid options for method ${adapter.name}: ${problems.join('; ')} (see \`facebench methods\`)`);
  }
  return parsed.data;
}

/** The code predictions depend on: the methods, the demo data and the geometry core. */
const METHOD_CODE = ['baselines', 'data', 'evaluators'];

/**
 * sha256 of method name, version, canonical options and the digest of the methods' code:
 * equal keys mean interchangeable predictions, and an edit to a method's code predicts anew.
 */
export function methodKey(adapter: Pick<MethodAdapter, 'name' | 'version'>, options: unknown): string {
  const code = codeDigest(METHOD_CODE);
  return createHash('sha256').update(canonicalJson({ name: adapter.name, version: adapter.version, options, code })).digest('hex');
}

function typeName(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const options = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (options) return options.map(typeName).join(' | ');
  if (schema.type === 'array') {
    if (Array.isArray(schema.prefixItems)) return `[${(schema.prefixItems as Record<string, unknown>[]).map(typeName).join(', ')}]`;
    return `${typeName((schema.items ?? {}) as Record<string, unknown>)}[]`;
  }
  if (schema.type === 'object' && schema.properties) {
    const required = new Set((schema.required ?? []) as string[]);
    const fields = Object.entries(schema.properties as Record<string, Record<string, unknown>>).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeName(v)}`);
    return `{${fields.join(', ')}}`;
  }
  if (typeof schema.type === 'string') {
    const bounds: string[] = [];
    // zod's integer bounds default to ±MAX_SAFE_INTEGER: not worth printing.
    if (schema.minimum !== undefined && schema.minimum !== -Number.MAX_SAFE_INTEGER) bounds.push(`≥ ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
    if (schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${schema.maximum}`);
    if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
    return bounds.length ? `${schema.type} ${bounds.join(', ')}` : schema.type;
  }
  return 'any';
}

/** The options of a method from its zod schema (an object schema; anything else gives one pseudo-option). */
export function describeOptions(adapter: MethodAdapter<any>): OptionDescription[] {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(adapter.options, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return [{ name: '(options)', type: 'any', required: false }];
  }
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    type: typeName(schema),
    required: required.has(name) && schema.default === undefined,
    default: schema.default,
    description: typeof schema.description === 'string' ? schema.description : undefined,
  }));
}
