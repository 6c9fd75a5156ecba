// Kubernetes manifests checked without a cluster or kubeconform (a GitHub binary, not reachable
// here): the API's OpenAPI schema as kubernetes-models compiles it (types, required fields,
// formats), plus its TypeScript types for unknown fields (kubeconform's -strict).
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import ts from 'typescript';

interface Kind {
  /** Validates against the schema; throws with every problem. */
  validate(document: object): void;
  /** The module and interface whose types spell the fields. */
  readonly module: string;
  readonly type: string;
}

const KINDS: Readonly<Record<string, Kind>> = {
  'apps/v1 Deployment': {
    validate: (document) => {
      new Deployment(document).validate();
    },
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
  },
  'v1 Service': {
    validate: (document) => {
      new Service(document).validate();
    },
    module: 'kubernetes-models/v1/Service',
    type: 'IService',
  },
  'v1 ConfigMap': {
    validate: (document) => {
      new ConfigMap(document).validate();
    },
    module: 'kubernetes-models/v1/ConfigMap',
    type: 'IConfigMap',
  },
};

export interface Manifest {
  /** "examples/k8s/deployment.yaml#0" */
  readonly where: string;
  readonly document: Record<string, unknown>;
}

function kindOf(manifest: Manifest): Kind | undefined {
  const { apiVersion, kind } = manifest.document;
  return KINDS[`${String(apiVersion)} ${String(kind)}`];
}

/** Schema problems: unknown kinds, wrong types, missing required fields. */
export function schemaProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const manifest of manifests) {
    const kind = kindOf(manifest);
    if (kind === undefined) {
      problems.push(`${manifest.where}: no schema here for this apiVersion and kind`);
      continue;
    }
    try {
      kind.validate(manifest.document);
    } catch (error) {
      problems.push(`${manifest.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * Unknown fields anywhere (a `readinesProbe` typo), found by TypeScript's excess-property check
 * on each manifest typed as its interface; `root` is where node_modules is found from.
 */
export function unknownFieldProblems(manifests: readonly Manifest[], root: string): string[] {
  const known = manifests.filter((manifest) => kindOf(manifest) !== undefined);
  const file = join(root, 'test', '__k8s-manifests__.ts'); // never written: served from memory
  const source = known
    .map((manifest, index) => {
      const kind = kindOf(manifest) as Kind;
      return (
        `import type { ${kind.type} as T${index} } from '${kind.module}';\n` +
        `export const m${index}: T${index} = ${JSON.stringify(manifest.document)};\n`
      );
    })
    .join('');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const disk = ts.createCompilerHost(options);
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, version)
      : disk.getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === file || disk.fileExists(name);
  host.readFile = (name) => (name === file ? source : disk.readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line =
      diagnostic.file === undefined || diagnostic.start === undefined
        ? 0
        : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    // Line 2k+1 holds manifest k.
    const manifest = known[Math.floor(line / 2)];
    return `${manifest?.where ?? '?'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
