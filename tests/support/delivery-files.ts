import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cmd, DockerfileParser, Env, From, type Instruction } from 'dockerfile-ast';
import { parse, parseAllDocuments } from 'yaml';
import { envSchema } from '../../infrastructure/config/env-schema.js';
import { loadConfig } from '../../infrastructure/config/config.js';

/** The delivery files, read from the work tree as they are: the tests check the real thing. */
export const root = resolve(import.meta.dirname, '../..');

export function readText(relativePath: string): string {
  return readFileSync(resolve(root, relativePath), 'utf8');
}

export function fileExists(relativePath: string): boolean {
  return existsSync(resolve(root, relativePath));
}

// YAML is loosely typed by nature; the tests assert the shape they rely on.
export type Yaml = any;

export function readYaml(relativePath: string): Yaml {
  return parse(readText(relativePath));
}

function readYamlDocuments(relativePath: string): Yaml[] {
  return parseAllDocuments(readText(relativePath)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${relativePath}: ${document.errors[0]!.message}`);
    return document.toJS();
  });
}

/** The one Node version the image, the pipeline and `.ci/run` use (`.nvmrc`, read by nvm and fnm too). */
export const pinnedNodeVersion = readText('.nvmrc').trim();

/** What the service itself says: the default port and every variable it reads. */
export const appDefaultPort = loadConfig({}).http.port;
export const appMetricsPort = loadConfig({}).http.metricsPort;
export const envNames: ReadonlySet<string> = new Set(Object.keys(envSchema.entries));
/** The production drain bound, as the service computes it from a set of variables. */
export function shutdownSettings(env: Record<string, string>) {
  return loadConfig({
    POSTGRES_URI: 'postgres://placeholder@localhost/db',
    REDIS_URI: 'redis://localhost:6379',
    WRITE_TOKENS: 'placeholder-write-token-0123456789',
    ...env,
    NODE_ENV: 'production',
  }).shutdown;
}

export interface DockerStage {
  readonly from: From;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile cut into its stages (each FROM starts one). */
export function dockerfileStages(text = readText('Dockerfile')): DockerStage[] {
  const stages: Array<{ from: From; name: string | null; instructions: Instruction[] }> = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      stages.push({ from: instruction, name: instruction.getBuildStage(), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The exec-form CMD of a stage as an argv array, or null when the stage has none or uses shell form. */
export function execFormCmd(stage: DockerStage): string[] | null {
  const cmd = stage.instructions.filter((i): i is Cmd => i instanceof Cmd).at(-1);
  if (!cmd || cmd.getOpeningBracket() === null) return null;
  return cmd.getJSONStrings().map((argument) => argument.getJSONValue());
}

export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    if (!(instruction instanceof Env)) continue;
    // getValue() is the value as Docker sets it (quotes removed); getUnescapedValue() keeps the
    // quotes, which turned NODE_OPTIONS="--a --b" into one invalid option.
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  return env;
}

/** The shell command of every RUN instruction in a stage. */
export function runCommands(stage: DockerStage): string[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => (i.getArgumentsContent() ?? '').replace(/\\\n/g, ' ').trim());
}

/** The Pack's single workload and container (the chart allows several; this service has one). */
export function packParts(pack: Yaml = readYaml('deploy/kubit/pack.yaml')) {
  const gonbad = pack.spec.values.gonbad;
  const workloadNames = Object.keys(gonbad.workloads);
  if (workloadNames.length !== 1) throw new Error(`expected one workload in the Pack, found ${workloadNames.length}`);
  const workload = gonbad.workloads[workloadNames[0]!];
  const containerNames = Object.keys(workload.containers);
  if (containerNames.length !== 1)
    throw new Error(`expected one container in the Pack, found ${containerNames.length}`);
  return {
    pack,
    workloadName: workloadNames[0]!,
    workload,
    container: workload.containers[containerNames[0]!],
    global: pack.spec.values.global,
    gonbad,
  };
}

/** The manifests that `kubectl apply -k deploy/k8s` applies, plus the Secret template, by kind. */
export function k8sManifests() {
  const kustomization = readYaml('deploy/k8s/kustomization.yaml');
  const applied: Yaml[] = (kustomization.resources as string[]).flatMap((file) =>
    readYamlDocuments(`deploy/k8s/${file}`),
  );
  const secretTemplate = readYaml('deploy/k8s/secret.template.yaml');
  const one = (kind: string) => {
    const found = applied.filter((manifest) => manifest.kind === kind);
    if (found.length !== 1) throw new Error(`expected one ${kind} in deploy/k8s, found ${found.length}`);
    return found[0];
  };
  return {
    kustomization,
    applied,
    secretTemplate,
    deployment: one('Deployment'),
    service: one('Service'),
    ingress: one('Ingress'),
    hpa: one('HorizontalPodAutoscaler'),
    pdb: one('PodDisruptionBudget'),
    configMap: one('ConfigMap'),
    networkPolicy: one('NetworkPolicy'),
    cronJob: one('CronJob'),
  };
}
