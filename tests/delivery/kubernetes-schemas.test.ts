import { expect } from 'chai';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { k8sManifests, type Yaml } from '../support/delivery-files.js';

/** The kinds deploy/k8s may use, each with its kubernetes-models class (the API's OpenAPI schema). */
const MODELS: Record<string, new (data: Yaml) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'networking.k8s.io/v1 Ingress': Ingress,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'batch/v1 CronJob': CronJob,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
};

/** Throws with the schema's complaint when the manifest is not a valid object of a known kind. */
function validate(manifest: Yaml): void {
  const model = MODELS[`${manifest.apiVersion} ${manifest.kind}`];
  if (!model) throw new Error(`${manifest.apiVersion} ${manifest.kind} is not a kind deploy/k8s may use`);
  new model(manifest).validate();
}

describe('deploy/k8s against the Kubernetes schemas (kubernetes-models)', () => {
  const { applied, secretTemplate, deployment, hpa, networkPolicy, cronJob } = k8sManifests();

  for (const manifest of [...applied, secretTemplate]) {
    it(`${manifest.kind} ${manifest.metadata?.name} is valid`, () => {
      expect(() => validate(manifest)).to.not.throw();
    });
  }

  describe('rejects broken manifests (so the checks above can fail)', () => {
    it('a container port given as text', () => {
      const broken = structuredClone(deployment);
      broken.spec.template.spec.containers[0].ports[0].containerPort = '5000';
      expect(() => validate(broken)).to.throw(/containerPort must be integer/);
    });

    it('a Deployment without a selector', () => {
      const broken = structuredClone(deployment);
      delete broken.spec.selector;
      expect(() => validate(broken)).to.throw(/selector/);
    });

    it('a container without a name', () => {
      const broken = structuredClone(deployment);
      delete broken.spec.template.spec.containers[0].name;
      expect(() => validate(broken)).to.throw(/name/);
    });

    it('an autoscaler of a removed API version', () => {
      expect(() => validate({ ...structuredClone(hpa), apiVersion: 'autoscaling/v2beta2' })).to.throw(/not a kind/);
    });

    it('a NetworkPolicy rule whose port is not a port', () => {
      const broken = structuredClone(networkPolicy);
      broken.spec.ingress[0].ports[0].port = { name: 'http' };
      expect(() => validate(broken)).to.throw(/port/);
    });

    it('a CronJob without a schedule', () => {
      const broken = structuredClone(cronJob);
      delete broken.spec.schedule;
      expect(() => validate(broken)).to.throw(/schedule/);
    });

    it('an autoscaler whose bounds are not numbers', () => {
      const broken = structuredClone(hpa);
      broken.spec.maxReplicas = 'six';
      expect(() => validate(broken)).to.throw(/maxReplicas must be integer/);
    });
  });
});
