import { expect } from 'chai';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { envNames, readText as read, root } from '../support/delivery-files.js';

const docPages = readdirSync(resolve(root, 'docs'))
  .filter((file) => file.endsWith('.md'))
  .map((file) => `docs/${file}`);
const documents = ['README.md', 'deploy/README.md', ...docPages];

/** Fenced code is shown, not linked: `[a](b)` inside it is not a link. */
const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

function relativeLinks(document: string): string[] {
  const targets = [...withoutCode(read(document)).matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!);
  return targets.filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

describe('docs: README.md, docs/ and deploy/README.md', () => {
  it('keeps the README short: at most 250 lines', () => {
    expect(read('README.md').split('\n').length).to.be.at.most(250);
  });

  it('links every docs/ page from the README', () => {
    const links = new Set(relativeLinks('README.md').map((target) => target.split('#')[0]));
    for (const page of docPages) expect([...links], page).to.include(page);
  });

  for (const document of documents)
    it(`${document}: every relative link resolves to a file, and every #anchor to a heading`, () => {
      for (const link of relativeLinks(document)) {
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? resolve(root, document) : resolve(root, dirname(document), path);
        expect(existsSync(target), `${document}: ${link} (no such file)`).to.equal(true);
        if (anchor === undefined) continue;
        expect(statSync(target).isFile() && target.endsWith('.md'), `${document}: ${link} (anchor into a non-page)`).to
          .be.true;
        const page = relative(root, target);
        expect([...anchorsOf(read(page))], `${document}: ${link} (no such heading in ${page})`).to.include(anchor);
      }
    });

  it('documents every variable of infrastructure/config/env-schema.ts in docs/configuration.md, with who sets it', () => {
    const names = [...envNames];
    expect(names.length, 'variables read from env-schema.ts').to.be.greaterThan(20);
    const rows = new Map(
      [...read('docs/configuration.md').matchAll(/^\| `([A-Z0-9_]+)` +\|[^|]*\| *([a-z]+) *\|/gm)].map(
        ([, name, who]) => [name!, who!],
      ),
    );
    const undocumented = names.filter((name) => !rows.has(name));
    expect(undocumented, 'add them to docs/configuration.md').to.deep.equal([]);
    for (const [name, who] of rows) {
      expect(names, `docs/configuration.md documents ${name}, which the service does not read`).to.include(name);
      expect(['platform', 'operator', 'developer'], `who sets ${name}`).to.include(who);
    }
  });
});
