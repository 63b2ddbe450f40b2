import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { User } from 'dockerfile-ast';
import {
  appDefaultPort,
  appMetricsPort,
  dockerfileStages,
  envNames,
  fileExists,
  k8sManifests,
  packParts,
  readText,
  readYaml,
  root,
  shutdownSettings,
  stageEnv,
  type Yaml,
} from '../support/delivery-files.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { parse as parseYaml } from 'yaml';
import { CHECK_TIMEOUT_MS } from '../../application/readiness.js';
import { loadConfig } from '../../infrastructure/config/config.js';

const CREDENTIALS = [
  'POSTGRES_URI',
  'REDIS_URI',
  'SENTRY_DSN',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'WRITE_TOKENS',
];
/** Read by Node itself, not by the service: allowed in a deployment's environment. */
const RUNTIME_ENV = new Set(['NODE_OPTIONS']);
/** A URL that carries a user (and usually a password): `scheme://user[:password]@host`. */
const URL_WITH_USER = /[a-z][\w+.-]*:\/\/[^\s/@]+@/i;

const { pack, workload, container, global, gonbad } = packParts();
const k8s = k8sManifests();
const podSpec = k8s.deployment.spec.template.spec;
const k8sContainer = podSpec.containers[0];

/** Every string in a YAML tree with its path, except under the given subtrees. */
function strings(node: Yaml, path = '', skip: readonly Yaml[] = []): Array<[string, string]> {
  if (skip.includes(node)) return [];
  if (typeof node === 'string') return [[path, node]];
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => [
      ...(Array.isArray(node) ? [] : ([[`${path}.${key} (key)`, key]] as Array<[string, string]>)),
      ...strings(value, `${path}.${key}`, skip),
    ]);
  }
  return [];
}

/** Seconds a preStop exec pauses: `sleep N`, or `node -e "setTimeout(..., N)"` (milliseconds). */
function preStopSeconds(command: string[]): number {
  if (command[0] === 'sleep') return Number(command[1]);
  const timeout = /setTimeout\([^,]+,\s*(\d+)\)/.exec(command.join(' '));
  if (command[0] === 'node' && timeout) return Number(timeout[1]) / 1000;
  throw new Error(`unknown preStop pause: ${command.join(' ')}`);
}

const mebibytes = (quantity: string) => {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`unreadable memory quantity ${quantity}`);
  const factor = { Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  return Number(match[1]) * (match[2] ? factor[match[2] as keyof typeof factor] : 1 / 2 ** 20);
};

/**
 * The highest peak RSS of the service's own scenarios (not bare Koa's, the peer's or the embedded
 * store's) in the newest full run of `npm run bench` (bench/results/runs/).
 */
function lastBenchPeak(): { run: string; peakRssMiB: number } {
  const dir = resolve(root, 'bench/results/runs');
  const runs = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, report: JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as BenchRun }))
    .sort((a, b) => b.report.date.localeCompare(a.report.date));
  const { file, report } = runs[0]!;
  const service = report.results.filter((r) => !/^(baseline|peer|embedded)\b/.test(r.scenario));
  expect(service.length, `the service's scenarios in ${file}`).to.be.greaterThan(3);
  return { run: file, peakRssMiB: Math.max(...service.map((r) => r.peakRssMiB ?? Infinity)) };
}

interface BenchRun {
  readonly date: string;
  readonly results: Array<{ scenario: string; peakRssMiB: number | null }>;
}

const dockerUid = (() => {
  const user = dockerfileStages()
    .at(-1)!
    .instructions.filter((i) => i instanceof User)
    .at(-1);
  return Number((user?.getArgumentsContent() ?? '').split(':')[0]);
})();

describe('deploy/kubit/pack.yaml (the Kubit Pack)', () => {
  it('is a Pack of the simplepack chart from kubit-paas', () => {
    expect(pack.apiVersion).to.equal('k8s.kubit.ir/v1alpha1');
    expect(pack.kind).to.equal('Pack');
    expect(pack.metadata.name).to.be.a('string');
    expect(pack.metadata.namespace).to.be.a('string');
    expect(pack.spec.chart).to.deep.equal({
      repository: { kind: 'ClusterPackRepository', name: 'kubit-paas' },
      name: 'simplepack',
      version: '~=0.3.1',
    });
  });

  it('takes the image tag from the DOCKER_TAG variable, with a starting value, never `latest`', () => {
    expect(container.image.tag).to.equal('{{ vars.DOCKER_TAG }}');
    expect(pack.spec.vars.DOCKER_TAG).to.match(/^[\w][\w.-]{0,127}$/);
    for (const [path, value] of strings(pack)) expect(value, path).to.not.match(/(^|:)latest$/);
    expect(container.image.repository, 'the tag lives in `tag`').to.not.match(/:[\w.-]+$/);
  });

  it("listens and is probed on the app's default port, and scraped on its metrics port only", () => {
    const ports = Object.values(container.ports) as Yaml[];
    expect(ports.map((port) => port.number)).to.deep.equal([appDefaultPort, appMetricsPort]);
    expect(ports.map((port) => port.scrapePath)).to.deep.equal([undefined, '/metrics']);
    expect(Number(global.sharedConfigs.PORT ?? appDefaultPort)).to.equal(appDefaultPort);
    expect(Number(global.sharedConfigs.METRICS_PORT ?? appMetricsPort)).to.equal(appMetricsPort);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(container[probe].port, probe).to.equal(appDefaultPort);
    }
    expect(container.livenessProbe.path).to.equal('/healthz');
    expect(container.readinessProbe.path).to.equal('/readyz');
    // Readiness answers at once with checks refreshed in the background; only an instance's very
    // first answer waits for them, which run together, each cut at the check budget.
    expect(container.readinessProbe.timeoutSeconds * 1000, 'the probe outwaits the check budget').to.be.above(
      CHECK_TIMEOUT_MS,
    );
  });

  it('reads only variables the service knows, credentials from sharedSecrets only', () => {
    const configs = Object.keys(global.sharedConfigs);
    const secrets = Object.keys(global.sharedSecrets);
    for (const name of [...configs, ...secrets]) {
      expect(envNames.has(name) || RUNTIME_ENV.has(name), `${name} is read by the service`).to.equal(true);
    }
    // Production refuses open writes unless PUBLIC_WRITES=true says so: the Pack takes tokens.
    expect(secrets).to.include.members(['POSTGRES_URI', 'SENTRY_DSN', 'WRITE_TOKENS']);
    expect(configs).to.not.include('PUBLIC_WRITES');
    expect(CREDENTIALS).to.include.members(secrets);
    expect(secrets.includes('REDIS_URI') || configs.includes('REDIS_SENTINELS'), 'a Redis').to.equal(true);
    expect(configs).to.not.include.any.members(CREDENTIALS);
    expect(global.sharedConfigs.NODE_ENV).to.equal('production');
    for (const value of Object.values(global.sharedConfigs)) expect(value).to.be.a('string');
  });

  it('shows a valid Redis HA variant in comments: the sentinels in sharedConfigs, the passwords in sharedSecrets', () => {
    const text = readText('deploy/kubit/pack.yaml')
      .replace(/^(\s*)# ((?:REDIS_SENTINELS|REDIS_SENTINEL_MASTER|REDIS_PASSWORD|REDIS_SENTINEL_PASSWORD):)/gm, '$1$2')
      .replace(/^\s*REDIS_URI:.*$/m, '');
    const ha = packParts(parseYaml(text)).global;
    expect(Object.keys(ha.sharedConfigs)).to.include.members(['REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER']);
    expect(Object.keys(ha.sharedSecrets)).to.include.members(['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD']);
    const config = loadConfig({
      ...ha.sharedConfigs,
      POSTGRES_URI: 'postgres://u:p@db/pings',
      REDIS_PASSWORD: 'secret',
      REDIS_SENTINEL_PASSWORD: 'secret',
      WRITE_TOKENS: 'placeholder-write-token-0123456789',
    });
    expect(config.redis.sentinel?.masterName).to.equal('mymaster');
  });

  it('holds no plain credential: secrets are placeholders, and no URL with a user appears elsewhere', () => {
    for (const [name, value] of Object.entries(global.sharedSecrets as Record<string, string>)) {
      expect(() => new URL(value), `${name} must be vault-encrypted text, not a plain URL`).to.throw();
    }
    for (const [path, value] of strings(pack, 'pack', [global.sharedSecrets])) {
      expect(value, path).to.not.match(URL_WITH_USER);
    }
  });

  it('gives the pod time to drain: grace period > preStop pause + the drain bound', () => {
    const pause = preStopSeconds(container.lifecycle.preStop.exec.command);
    const shutdown = shutdownSettings(global.sharedConfigs);
    expect(shutdown.delayMs).to.be.below(shutdown.timeoutMs);
    // The flush of error reports may take up to 0.5 s past the drain bound.
    expect(workload.terminationGracePeriodSeconds).to.be.above(pause + shutdown.timeoutMs / 1000 + 0.5);
    expect(['sleep', 'node'], 'a command the Debian-based image has').to.include(
      container.lifecycle.preStop.exec.command[0],
    );
    expect(dockerfileStages().at(-1)!.from.getImageTag()).to.match(/bookworm|bullseye|trixie/);
  });

  it('runs as the image user, non-root, without privilege escalation, on a read-only root', () => {
    expect(workload.securityContext).to.include({ runAsNonRoot: true, runAsUser: dockerUid });
    expect(container.securityContext).to.deep.include({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.securityContext.capabilities.drop).to.deep.equal(['ALL']);
  });

  it('requests the memory the last full bench run peaked at, with a limit above the old-generation cap', () => {
    const { requests, limits } = container.resources;
    const { run, peakRssMiB } = lastBenchPeak();
    expect(mebibytes(requests.memory), `the service's peak RSS in ${run}`).to.be.at.least(peakRssMiB);
    expect(mebibytes(limits.memory)).to.be.at.least(mebibytes(requests.memory));
    const oldSpace = Number(
      /--max-old-space-size=(\d+)/.exec(stageEnv(dockerfileStages().at(-1)!).NODE_OPTIONS ?? '')?.[1],
    );
    expect(mebibytes(limits.memory), "the image's --max-old-space-size").to.be.greaterThan(oldSpace);
    expect(requests.cpu, 'the hpa computes utilisation from the cpu request').to.be.a('string');
  });

  it('scales with an hpa and a pdb that never blocks a drain', () => {
    expect(workload.hpa.minReplicas).to.be.at.least(2);
    expect(workload.hpa.maxReplicas).to.be.at.least(workload.hpa.minReplicas);
    expect(workload.pdb.minAvailable).to.be.below(workload.hpa.minReplicas);
    expect(workload.replicaCount).to.be.at.least(workload.hpa.minReplicas);
  });

  it('is reachable through an ingress with TLS', () => {
    const ingresses = Object.values(gonbad.ingresses) as Yaml[];
    expect(ingresses).to.have.length(1);
    const [ingress] = ingresses;
    expect(ingress.enabled).to.equal(true);
    expect(ingress.workloadName).to.equal(packParts().workloadName);
    expect(ingress.servicePort).to.equal(appDefaultPort);
    expect(ingress.servicePort, 'the metrics port is never routed').to.not.equal(appMetricsPort);
    expect(ingress.hosts[0].host).to.be.a('string');
    expect(ingress.tls[0].secretName).to.be.a('string');
  });

  it('alerts on the 5xx share and on instances that stop answering', () => {
    const rules = gonbad.prometheusRule.rules as Yaml[];
    for (const rule of rules) expect(rule).to.include.keys('alert', 'expr', 'for', 'labels', 'annotations');
    expect(rules.some((r) => /http_request_duration_seconds_count\{[^}]*status_code=~"5\.\."/.test(r.expr))).to.equal(
      true,
    );
    expect(rules.some((r) => /\bup\b/.test(r.expr))).to.equal(true);
  });

  it('probes paths that the API answers, and scrapes a path that only the metrics listener answers', async () => {
    const { request, metricsRequest } = makeHttpHarness();
    const paths = [container.livenessProbe.path, container.readinessProbe.path, container.startupProbe.path];
    for (const path of new Set(paths)) {
      const answer = await request({ method: 'GET', url: path });
      expect(answer.status, `GET ${path}`).to.not.equal(404);
      expect(answer.status, `GET ${path}`).to.be.below(500);
    }
    for (const port of (Object.values(container.ports) as Yaml[]).filter((p) => p.scrapePath)) {
      expect((await metricsRequest({ method: 'GET', url: port.scrapePath })).status).to.equal(200);
      expect((await request({ method: 'GET', url: port.scrapePath })).status, 'on the API port').to.equal(404);
    }
  });
});

describe('deploy/k8s (plain manifests, the same deployment)', () => {
  it('applies every manifest but the Secret template through kustomization.yaml', () => {
    const files = readdirSync(resolve(root, 'deploy/k8s')).filter((file) => /\.ya?ml$/.test(file));
    expect([...k8s.kustomization.resources].sort()).to.deep.equal(
      files.filter((file) => file !== 'kustomization.yaml' && file !== 'secret.template.yaml').sort(),
    );
  });

  it('carries the same settings as the Pack: ConfigMap = sharedConfigs, Secret keys = sharedSecrets', () => {
    expect(k8s.configMap.data).to.deep.equal(global.sharedConfigs);
    expect(Object.keys(k8s.secretTemplate.stringData)).to.have.members(Object.keys(global.sharedSecrets));
    for (const [name, value] of Object.entries(k8s.secretTemplate.stringData as Record<string, string>)) {
      expect(() => new URL(value), `${name} is a placeholder, not a plain URL`).to.throw();
    }
    expect(k8sContainer.envFrom).to.deep.include.members([
      { configMapRef: { name: k8s.configMap.metadata.name } },
      { secretRef: { name: k8s.secretTemplate.metadata.name } },
    ]);
    for (const entry of (k8sContainer.env ?? []) as Yaml[]) {
      expect(envNames.has(entry.name) || RUNTIME_ENV.has(entry.name), entry.name).to.equal(true);
    }
  });

  it('keeps credentials out of everything but the Secret', () => {
    for (const manifest of k8s.applied) {
      for (const [path, value] of strings(manifest, manifest.kind)) {
        expect(value, path).to.not.match(URL_WITH_USER);
        expect(CREDENTIALS, `${path} names a credential outside the Secret`).to.not.include(value);
      }
    }
  });

  it('runs the same container as the Pack: image, port, probes, resources, shutdown, security', () => {
    const [repository, tag] = (k8sContainer.image as string).split(/:(?=[^:/]+$)/);
    expect(repository).to.equal(container.image.repository);
    expect(tag)
      .to.match(/^[\w][\w.-]*$/)
      .and.to.not.equal('latest');
    expect(k8sContainer.ports).to.deep.equal([
      { name: 'http', containerPort: appDefaultPort, protocol: 'TCP' },
      { name: 'metrics', containerPort: appMetricsPort, protocol: 'TCP' },
    ]);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const { port, path, ...timing } = container[probe];
      expect(k8sContainer[probe].httpGet, probe).to.deep.equal({ path, port });
      const { httpGet: _, ...k8sTiming } = k8sContainer[probe];
      expect(k8sTiming, probe).to.deep.equal(timing);
    }
    expect(k8sContainer.resources).to.deep.equal(container.resources);
    expect(k8sContainer.lifecycle).to.deep.equal(container.lifecycle);
    expect(k8sContainer.securityContext).to.deep.equal(container.securityContext);
    expect(podSpec.securityContext).to.deep.equal(workload.securityContext);
    expect(podSpec.terminationGracePeriodSeconds).to.equal(workload.terminationGracePeriodSeconds);
    expect(k8s.deployment.spec.strategy).to.deep.equal(workload.strategy);
  });

  it('wires Deployment, Service, Ingress, HPA and PDB to each other', () => {
    const podLabels = k8s.deployment.spec.template.metadata.labels;
    expect(podLabels).to.deep.include(k8s.deployment.spec.selector.matchLabels);
    expect(podLabels).to.deep.include(k8s.service.spec.selector);
    expect(podLabels).to.deep.include(k8s.pdb.spec.selector.matchLabels);

    const [servicePort] = k8s.service.spec.ports;
    const target = k8sContainer.ports.find(
      (p: Yaml) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort,
    );
    expect(target?.containerPort, 'the Service reaches the container port').to.equal(appDefaultPort);

    const backends = (k8s.ingress.spec.rules as Yaml[]).flatMap((rule) =>
      (rule.http.paths as Yaml[]).map((path) => path.backend.service),
    );
    for (const backend of backends) {
      expect(backend.name).to.equal(k8s.service.metadata.name);
      expect(backend.port, 'the Ingress routes the API port only').to.deep.equal({ number: servicePort.port });
    }
    expect(k8s.ingress.spec.tls[0].secretName).to.be.a('string');
    expect(k8s.ingress.spec.tls[0].hosts).to.include(k8s.ingress.spec.rules[0].host);

    expect(k8s.hpa.spec.scaleTargetRef).to.deep.equal({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: k8s.deployment.metadata.name,
    });
    expect(k8s.hpa.spec.minReplicas).to.equal(workload.hpa.minReplicas);
    expect(k8s.hpa.spec.maxReplicas).to.equal(workload.hpa.maxReplicas);
    expect(k8s.hpa.spec.metrics[0].resource.target.averageUtilization).to.equal(workload.hpa.cpuAverageUtilization);
    expect(k8s.pdb.spec.minAvailable).to.equal(workload.pdb.minAvailable);
    expect(k8s.deployment.spec.replicas, 'the hpa owns the replica count').to.equal(undefined);
  });

  it('scrapes and alerts like the Pack (monitoring/, for the Prometheus Operator)', () => {
    const monitor = readYaml('deploy/k8s/monitoring/servicemonitor.yaml');
    const rule = readYaml('deploy/k8s/monitoring/prometheusrule.yaml');
    const packPort = (Object.values(container.ports) as Yaml[]).find((port) => port.scrapePath);
    const scraped = (k8s.service.spec.ports as Yaml[]).find((port) => port.name === monitor.spec.endpoints[0].port);
    expect(scraped?.port, 'the ServiceMonitor scrapes the metrics port').to.equal(appMetricsPort);
    expect(monitor.spec.endpoints[0].path).to.equal(packPort.scrapePath);
    expect(monitor.spec.selector.matchLabels).to.deep.equal(k8s.service.metadata.labels);
    expect(rule.spec.groups[0].rules).to.deep.equal(gonbad.prometheusRule.rules);
    const annotations = k8s.deployment.spec.template.metadata.annotations;
    expect(annotations['prometheus.io/path']).to.equal(packPort.scrapePath);
    expect(Number(annotations['prometheus.io/port'])).to.equal(appMetricsPort);
  });
});

/** Applies JSON-patch `replace` operations (what the README's overlay uses); throws on a path that does not exist. */
function applyReplacements(document: Yaml, operations: Yaml[]): Yaml {
  const patched = structuredClone(document);
  for (const { op, path, value } of operations) {
    if (op !== 'replace') throw new Error(`the README's overlay uses ${op}: extend this check`);
    const keys = (path as string).split('/').slice(1);
    const parent = keys.slice(0, -1).reduce((node: Yaml, key) => node?.[key], patched);
    if (parent === undefined || !(keys.at(-1)! in parent)) throw new Error(`${path} is not in the NetworkPolicy`);
    parent[keys.at(-1)!] = value;
  }
  return patched;
}

describe('deploy/k8s/networkpolicy.yaml (who may connect to the pods)', () => {
  const policy = k8s.networkPolicy;
  const rules = policy.spec.ingress as Yaml[];
  const portOf = (name: string) => (k8sContainer.ports as Yaml[]).find((port) => port.name === name);
  const namespacesAdmitting = (portName: string) =>
    rules
      .filter((rule) => (rule.ports as Yaml[]).some((port) => port.port === portName))
      .flatMap((rule) => (rule.from as Yaml[]).map((peer) => peer.namespaceSelector.matchLabels));

  it("selects the Deployment's pods and restricts incoming connections only", () => {
    expect(k8s.deployment.spec.template.metadata.labels).to.deep.include(policy.spec.podSelector.matchLabels);
    expect(policy.spec.policyTypes).to.deep.equal(['Ingress']);
  });

  it('admits the API port from the ingress namespace and the metrics port from the monitoring namespace, nothing else', () => {
    for (const rule of rules) {
      expect(rule.from, 'a rule without `from` admits every source').to.be.an('array').that.is.not.empty;
      expect(rule.ports, 'a rule without `ports` admits every port').to.be.an('array').that.is.not.empty;
      for (const peer of rule.from as Yaml[]) {
        expect(Object.keys(peer), 'whole namespaces, chosen by name').to.deep.equal(['namespaceSelector']);
      }
      for (const port of rule.ports as Yaml[]) expect(portOf(port.port), `${port.port} is a container port`).to.exist;
    }
    expect(portOf('http').containerPort).to.equal(appDefaultPort);
    expect(portOf('metrics').containerPort).to.equal(appMetricsPort);
    expect(namespacesAdmitting('http')).to.deep.equal([{ 'kubernetes.io/metadata.name': 'ingress-nginx' }]);
    expect(namespacesAdmitting('metrics')).to.deep.equal([{ 'kubernetes.io/metadata.name': 'monitoring' }]);
  });

  it("keeps the probes on the API port, where the kubelet (the pod's node) reaches them", () => {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(k8sContainer[probe].httpGet.port, probe).to.equal(portOf('http').containerPort);
    }
  });

  it("takes the overlay that deploy/README.md shows to change the namespaces (kustomize's JSON patch)", () => {
    const readme = readText('deploy/README.md');
    const block = /```yaml\n(# my-cluster\/kustomization\.yaml[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the overlay in deploy/README.md').to.be.a('string');
    const overlay = parseYaml(block!);
    expect(overlay.resources).to.deep.equal(['../deploy/k8s']);
    const [patch] = overlay.patches as Yaml[];
    expect(patch.target).to.deep.equal({ kind: policy.kind, name: policy.metadata.name });
    const patched = applyReplacements(policy, parseYaml(patch.patch));
    expect(patched.spec.ingress[0].from[0].namespaceSelector.matchLabels).to.deep.equal({
      'kubernetes.io/metadata.name': 'traefik',
    });
    expect(patched.spec.ingress[1].from[0].namespaceSelector.matchLabels).to.deep.equal({
      'kubernetes.io/metadata.name': 'prometheus',
    });
    expect(patched.spec.ingress.map((rule: Yaml) => rule.ports)).to.deep.equal(rules.map((rule) => rule.ports));
    expect(() => applyReplacements(policy, [{ op: 'replace', path: '/spec/ingress/2/from', value: [] }])).to.throw(
      /not in the NetworkPolicy/,
    );
  });
});

describe('deploy/k8s/prune-cronjob.yaml (retention, daily)', () => {
  const cronJob = k8s.cronJob;
  const jobPod = cronJob.spec.jobTemplate.spec.template;
  const [prune] = jobPod.spec.containers as Yaml[];

  it('runs once a day, never two at once, bounded in time', () => {
    expect(cronJob.spec.schedule).to.match(/^\d{1,2} \d{1,2} \* \* \*$/);
    expect(cronJob.spec.concurrencyPolicy).to.equal('Forbid');
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).to.be.a('number');
    expect(jobPod.spec.restartPolicy).to.equal('Never');
  });

  it("runs `npm run prune`'s built script with node, in the Deployment's image, with its settings and secrets", () => {
    const script = JSON.parse(readText('package.json')).scripts.prune as string;
    expect(prune.command).to.deep.equal(script.split(' '));
    expect(script).to.match(/^node .*dist\/interfaces\/startup\/prune\.js$/);
    expect(fileExists('interfaces/startup/prune.ts'), 'the source of the built script').to.equal(true);
    expect(prune.image).to.equal(k8sContainer.image);
    expect(prune.envFrom).to.deep.equal(k8sContainer.envFrom);
    expect(prune.securityContext).to.deep.equal(k8sContainer.securityContext);
    expect(jobPod.spec.securityContext).to.deep.equal(podSpec.securityContext);
  });

  it('is not taken for an instance: the Service, the PDB and the NetworkPolicy do not select its pod', () => {
    const labels = jobPod.metadata.labels as Record<string, string>;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    expect(selects(k8s.service.spec.selector)).to.equal(false);
    expect(selects(k8s.pdb.spec.selector.matchLabels)).to.equal(false);
    expect(selects(k8s.networkPolicy.spec.podSelector.matchLabels)).to.equal(false);
  });
});

describe('docker-compose.yml (local work)', () => {
  const compose = readYaml('docker-compose.yml');
  const app = compose.services.app;

  // The Compose Specification, as dclint ships it: what Compose v2 (`docker compose`) reads.
  // Compose v1 (`docker-compose` 1.x, end of life since 2023) refuses the top-level `name:`.
  it('is valid against the Compose Specification (Compose v2), with its project name', () => {
    const dclint = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
    const schema = JSON.parse(readFileSync(resolve(dclint, 'schemas/compose.schema.json'), 'utf8'));
    // It names draft-07 by its https address, which Ajv does not know by that name: not needed.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(schema);
    expect(validate(compose), ajv.errorsText(validate.errors, { separator: '\n' })).to.equal(true);
    expect(compose.name).to.equal('ping-service');
    expect(compose, 'the obsolete `version:` key').to.not.have.property('version');
  });

  it('runs the image built from the Dockerfile like production, after healthy backends', () => {
    expect(app.build).to.equal('.');
    expect(app.environment.NODE_ENV).to.equal('production');
    for (const name of Object.keys(app.environment)) expect(envNames.has(name), name).to.equal(true);
    expect(app.ports).to.include(`${appDefaultPort}:${appDefaultPort}`);
    for (const backend of ['postgres', 'redis']) {
      expect(app.depends_on[backend], backend).to.deep.equal({ condition: 'service_healthy' });
      expect(compose.services[backend].healthcheck?.test, `${backend} healthcheck`).to.be.an('array');
      expect(compose.services[backend].image).to.match(/:\d+\.\d+/);
    }
  });

  it('points the app at its own postgres and redis, with matching credentials', () => {
    const postgres = new URL(app.environment.POSTGRES_URI);
    const env = compose.services.postgres.environment;
    expect(postgres.hostname).to.equal('postgres');
    expect([postgres.username, postgres.password, postgres.pathname]).to.deep.equal([
      env.POSTGRES_USER,
      env.POSTGRES_PASSWORD,
      `/${env.POSTGRES_DB}`,
    ]);
    expect(new URL(app.environment.REDIS_URI).hostname).to.equal('redis');
    expect(readText('docker-compose.yml')).to.not.match(/:latest\b/);
  });
});
