// The Kubernetes example (examples/k8s/) is valid for the API (schema and unknown fields), its
// porta.yaml passes `porta check`, and its parts agree: probes on the admin listener the config
// opens, the Service on the site's port, a grace period longer than the preStop pause and drain.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { checkConfigFile } from '../../src/cli/check-file.js';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import { parseDuration } from '../../src/config/units.js';
import { listFiles } from '../support/doc-snippets.js';
import { type Manifest, schemaProblems, unknownFieldProblems } from '../support/k8s-schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function manifestsOf(file: string, text = readFileSync(join(ROOT, file), 'utf8')): Manifest[] {
  return parseAllDocuments(text).map((document, index) => ({
    where: `${file}#${index}`,
    document: document.toJS() as Record<string, unknown>,
  }));
}

const MANIFESTS = listFiles(ROOT, 'examples/k8s', (name) => name.endsWith('.yaml')).flatMap((f) =>
  manifestsOf(f),
);

/** The one manifest of a kind. */
function only(kind: string): Record<string, unknown> {
  const found = MANIFESTS.filter((manifest) => manifest.document.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in examples/k8s`);
  return found[0]?.document ?? {};
}

// The schema test proves their shapes; read them through the API's own types.
const deployment = only('Deployment') as unknown as IDeployment;
const service = only('Service') as unknown as IService;
const configMap = only('ConfigMap') as unknown as IConfigMap;
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];
const portaYaml = configMap.data?.['porta.yaml'] ?? '';
const portaConfig = parse(portaYaml) as {
  admin: { listen: string; allow: string[] };
  sites: { listen: string[] }[];
  timeouts?: { shutdown?: string };
};

/** A probe's or a Service's port as a number (names are the container's port names). */
function portNumber(port: string | number | undefined): number | undefined {
  return typeof port === 'string'
    ? container?.ports?.find((p) => p.name === port)?.containerPort
    : port;
}

describe('Kubernetes example', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'porta-k8s-'));
  after(() => {
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('has a Deployment, a Service and a ConfigMap, valid for the API schema', () => {
    assert.deepEqual(MANIFESTS.map((m) => m.document.kind).sort(), [
      'ConfigMap',
      'Deployment',
      'Service',
    ]);
    assert.deepEqual(schemaProblems(MANIFESTS), []);
  });

  it('has no unknown fields (kubeconform -strict)', () => {
    assert.deepEqual(unknownFieldProblems(MANIFESTS, ROOT), []);
  });

  it('the checks have teeth: a typo, a wrong type, a missing field and an unknown kind fail', () => {
    const broken = manifestsOf(
      'broken.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: x }
spec:
  template:
    spec:
      containers:
        - name: x
          image: x
          readinesProbe: { httpGet: { path: /readyz, port: 2019 } }
          livenessProbe: { httpGet: { path: /healthz, port: {} } }
---
apiVersion: v1
kind: Sevrice
metadata: { name: x }
`,
    );
    const schema = schemaProblems(broken).join('\n');
    assert.match(schema, /broken\.yaml#0: .*must have required property selector/);
    assert.match(schema, /broken\.yaml#0: .*livenessProbe\/httpGet\/port must be/);
    assert.match(schema, /broken\.yaml#1: no schema here/);
    // TypeScript reports excess fields only where the rest fits: check the typo on its own.
    const typo = manifestsOf(
      'typo.yaml',
      `apiVersion: v1
kind: Service
metadata: { name: x }
spec:
  ports: [{ port: 80, targetPrt: http }]
`,
    );
    assert.deepEqual(schemaProblems(typo), []);
    assert.match(
      unknownFieldProblems(typo, ROOT).join('\n'),
      /typo\.yaml#0: .*'"targetPrt"' does not exist/,
    );
  });

  it("the ConfigMap's porta.yaml passes porta check", async () => {
    // The image's /app/site is this repository's site/.
    const file = join(sandbox, 'porta.yaml');
    writeFileSync(file, portaYaml.replace('/app/site', join(ROOT, 'site')));
    await checkConfigFile(file);
  });

  it('probes ask the admin listener the config opens, guarded by an allow-list', () => {
    const adminPort = Number(portaConfig.admin.listen.split(':').at(-1));
    // The kubelet probes the pod's address from the node: not loopback, so an allow-list.
    assert.match(portaConfig.admin.listen, /^0\.0\.0\.0:/);
    assert.ok(portaConfig.admin.allow.length > 0);
    assert.equal(portNumber('admin'), adminPort);
    assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(portNumber(container.readinessProbe.httpGet.port), adminPort);
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(portNumber(container.livenessProbe.httpGet.port), adminPort);
    const annotations = deployment.spec?.template.metadata?.annotations ?? {};
    assert.equal(Number(annotations['prometheus.io/port']), adminPort);
  });

  it('the Service selects the pods and sends to the site port, not the admin one', () => {
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(service.spec?.selector ?? {})) {
      assert.equal(labels[key], value, key);
    }
    const sitePort = Number(portaConfig.sites[0]?.listen[0]?.split(':').at(-1));
    const targets = (service.spec?.ports ?? []).map((port) => portNumber(port.targetPort));
    assert.deepEqual(targets, [sitePort]);
  });

  it('mounts the ConfigMap where the args read it, as the image user', () => {
    assert.deepEqual(container?.args, ['run', '-c', '/etc/porta/porta.yaml']);
    const mount = container.volumeMounts?.find((m) => m.mountPath === '/etc/porta');
    const volume = pod?.volumes?.find((v) => v.name === mount?.name);
    assert.equal(volume?.configMap?.name, configMap.metadata?.name);
    // `node`, the Dockerfile's USER, is uid 1000 in the node image.
    assert.equal(pod?.securityContext?.runAsUser, 1000);
  });

  it('the grace period covers the preStop pause, the drain and porta’s own margin', () => {
    const command = container?.lifecycle?.preStop?.exec?.command ?? [];
    assert.equal(command[0], 'sleep');
    const pause = Number(command[1]);
    assert.ok(pause >= 3, `preStop pause ${pause}s`);
    const drain = parseDuration(portaConfig.timeouts?.shutdown ?? '10s') / 1000;
    const grace = pod?.terminationGracePeriodSeconds ?? 30;
    // porta exits on its own at most 10 s after the shutdown timeout (src/cli/run-server.ts).
    assert.ok(
      grace >= pause + drain + 10,
      `terminationGracePeriodSeconds ${grace} < ${pause} + ${drain} + 10`,
    );
  });
});
