import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { expect } from 'chai';
import { readYaml } from '../support/delivery-files.js';
import { jobsOf } from '../support/gitlab-rules.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  form: FormData;
}

/** Kubit's webhook, played by a local server that records what it gets and answers `status`. */
async function fakeWebhook(status: number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    // Parse the body as Kubit would: a form (curl -F sends multipart/form-data).
    const form = await new Request('http://webhook.local', {
      method: 'POST',
      headers: { 'content-type': request.headers['content-type'] ?? '' },
      body: Buffer.concat(chunks),
    })
      .formData()
      .catch(() => new FormData());
    received.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, form });
    response.writeHead(status, { 'content-type': 'application/json' }).end(status < 400 ? '{"ok":true}' : '{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/api/core/packs/ping-service/vars/`, received };
}

/** The deploy job's script lines, run by bash as a runner would (stop at the first failing line). */
async function runDeployScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const script = (jobsOf(readYaml('.gitlab-ci.yml')).deploy!.script as string[]).join('\n');
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('deploy job (its script, run by bash against a local webhook)', function () {
  this.timeout(60_000);
  const token = 'test-token-4f1c9a';
  const sha = 'a1b2c3d4';
  let server: Server | undefined;

  afterEach(() => server?.close());

  it('posts DOCKER_TAG=<commit short SHA> with the bearer token, once', async () => {
    const webhook = await fakeWebhook(200);
    server = webhook.server;
    const { code, output } = await runDeployScript({
      KUBIT_WEBHOOK_URL: webhook.url,
      KUBIT_WEBHOOK_TOKEN: token,
      CI_COMMIT_SHORT_SHA: sha,
      CI_REGISTRY_IMAGE: 'registry.example.com/group/ping-service',
    });
    expect(code, output).to.equal(0);
    expect(webhook.received).to.have.length(1);
    const [request] = webhook.received;
    expect(request!.method).to.equal('POST');
    expect(request!.url).to.equal('/api/core/packs/ping-service/vars/');
    expect(request!.authorization).to.equal(`Bearer ${token}`);
    expect(request!.form.get('DOCKER_TAG')).to.equal(sha);
    expect(output, 'the token never reaches the job log').to.not.include(token);
  });

  it('fails the job when the webhook answers an HTTP error', async () => {
    const webhook = await fakeWebhook(500);
    server = webhook.server;
    const { code, output } = await runDeployScript({
      KUBIT_WEBHOOK_URL: webhook.url,
      KUBIT_WEBHOOK_TOKEN: token,
      CI_COMMIT_SHORT_SHA: sha,
    });
    expect(webhook.received.length, 'the webhook was called').to.be.greaterThan(0);
    expect(code, output).to.not.equal(0);
    expect(output).to.not.include(token);
  });
});
