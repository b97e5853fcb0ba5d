import { join } from 'node:path';
import ts from 'typescript';
import type { Manifest } from './kustomize.js';

/**
 * Offline validation of rendered manifests against the Kubernetes API schemas, in two layers:
 *
 * 1. kubernetes-models (generated from the Kubernetes OpenAPI document; @kubernetes-models/gateway-api
 *    for the Gateway API's CRDs) validates each object with its JSON schema: types, enums,
 *    formats, patterns (durations), required fields, quantities.
 * 2. Those schemas allow unknown fields, so a misspelt `readinesProbe` would pass. The same
 *    package's TypeScript declarations describe every field, so a walk of each object against
 *    its declared type (via the TypeScript checker) reports any field the API does not have,
 *    like kubeconform's -strict mode.
 */

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

/**
 * API groups that are not part of Kubernetes itself, and the package holding their CRDs' schemas
 * (generated from the same Go types as the CRDs, so the same two layers apply).
 */
const CRD_PACKAGES: Record<string, string> = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/**
 * `apps/v1` → `kubernetes-models/apps/v1/Deployment`; the core group `v1` → `kubernetes-models/v1/Service`;
 * `gateway.networking.k8s.io/v1` → `@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute`;
 * `monitoring.coreos.com/v1` → `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor`.
 */
const modelPath = (m: Manifest) => {
  const group = m.apiVersion.includes('/') ? (m.apiVersion.split('/')[0] ?? '') : '';
  const crdPackage = CRD_PACKAGES[group];
  return crdPackage ? `${crdPackage}/${m.apiVersion}/${m.kind}` : `kubernetes-models/${m.apiVersion}/${m.kind}`;
};

async function loadModel(m: Manifest): Promise<ModelClass> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelPath(m))) as Record<string, unknown>;
  } catch {
    throw new Error(`${m.apiVersion} ${m.kind}: no Kubernetes schema for this kind (typo, or a removed API version?)`);
  }
  const model = mod[m.kind];
  if (typeof model !== 'function') throw new Error(`${m.apiVersion} ${m.kind}: the models package has no class for it`);
  return model as ModelClass;
}

/**
 * kustomize wraps long base64 Secret values over several lines; the API server decodes them
 * with Go's base64, which skips line breaks, so they are compared here without them.
 */
function asApiServerReads(m: Manifest): Manifest {
  if (m.kind !== 'Secret' || typeof m.data !== 'object' || m.data === null) return m;
  const data = Object.fromEntries(Object.entries(m.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]));
  return { ...m, data };
}

export async function validateSchema(m: Manifest): Promise<string[]> {
  const Model = await loadModel(m);
  try {
    new Model(asApiServerReads(m)).validate();
    return [];
  } catch (error) {
    return [`${m.kind}/${m.metadata.name}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** The declared TypeScript type of each kind, read once for all manifests. */
function declaredTypes(manifests: Manifest[]): { checker: ts.TypeChecker; typeOf: (m: Manifest) => ts.Type } {
  const kinds = [...new Set(manifests.map(modelPath))];
  // A virtual entry file inside this package, so module resolution finds kubernetes-models.
  const entry = join(import.meta.dirname, '__kubernetes-kinds__.ts');
  const text = kinds.map((path, i) => `import type { I${path.split('/').pop() ?? ''} as K${i} } from '${path}';\nexport type T${i} = K${i};`).join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, language, ...rest) =>
    file === entry ? ts.createSourceFile(file, text, language) : getSourceFile.call(host, file, language, ...rest);
  host.fileExists = (file) => file === entry || fileExists.call(host, file);
  host.readFile = (file) => (file === entry ? text : readFile.call(host, file));
  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('the kinds entry file did not load');
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, checker.getDeclaredTypeOfSymbol(s)]));
  return {
    checker,
    typeOf(m) {
      const type = exports.get(`T${kinds.indexOf(modelPath(m))}`);
      // An unresolved import comes back as the error type (flagged Any): never walk that silently.
      if (!type || (type.flags & ts.TypeFlags.Any) !== 0) throw new Error(`no declared type for ${modelPath(m)}`);
      return type;
    },
  };
}

function unknownFields(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, problems: string[]): void {
  if (value === null || typeof value !== 'object') return; // scalars are the JSON schema's job
  let type = checker.getNonNullableType(declared);
  if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) return; // free-form (e.g. RawExtension)
  if (type.isUnion()) {
    const objects = type.types.filter((t) => (t.flags & ts.TypeFlags.Object) !== 0);
    if (objects.length !== 1 || !objects[0]) return; // ambiguous: leave it to the JSON schema
    type = objects[0];
  }
  if (Array.isArray(value)) {
    const element = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    if (element) value.forEach((item, i) => unknownFields(checker, item, element, `${path}[${i}]`, problems));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const property = checker.getPropertyOfType(type, key);
    if (property) {
      unknownFields(checker, child, checker.getTypeOfSymbol(property), `${path}.${key}`, problems);
      continue;
    }
    const mapValue = checker.getIndexTypeOfType(type, ts.IndexKind.String);
    if (mapValue) {
      unknownFields(checker, child, mapValue, `${path}.${key}`, problems);
      continue;
    }
    problems.push(`${path}.${key}: no such field in the Kubernetes API`);
  }
}

/** Every field of every manifest exists in its kind's API type; returns one line per stray field. */
export function strictFieldProblems(manifests: Manifest[]): string[] {
  const types = declaredTypes(manifests);
  const problems: string[] = [];
  for (const m of manifests) unknownFields(types.checker, m, types.typeOf(m), `${m.kind}/${m.metadata.name}`, problems);
  return problems;
}
