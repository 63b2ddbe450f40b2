import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, posix, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
/** The one list of the Debian packages the checks run programs from; both runners install from it. */
export const SYSTEM_PACKAGES_FILE = '.ci/system-packages';

/** One line of .ci/system-packages. */
export interface SystemTool {
  /** The Debian package. */
  readonly package: string;
  /** The program the checks run from it, as a path; one `*` stands for a version directory. */
  readonly program: string;
  /** The npm scripts that need it (`test`, `test:image`, `bench`...). */
  readonly neededBy: readonly string[];
}

export function systemTools(text = readFileSync(join(root, SYSTEM_PACKAGES_FILE), 'utf8')): SystemTool[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, program, neededBy, ...rest] = line.split(/\s+/);
      if (!name || !program?.startsWith('/') || !neededBy || rest.length > 0) {
        throw new Error(`${SYSTEM_PACKAGES_FILE}: "${line}" is not "<package> <program path> <npm scripts>"`);
      }
      return { package: name, program, neededBy: neededBy.split(',') };
    });
}

/** The program's name: the last part of its path (`initdb`, `haproxy`). */
export const programName = (tool: SystemTool) => posix.basename(tool.program);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The declared path, its `*` replaced by the newest version directory present (numeric order). */
function installedPath(program: string): string | undefined {
  const star = program.indexOf('*');
  if (star === -1) return isExecutable(program) ? program : undefined;
  const parent = dirname(program.slice(0, star + 1));
  const [prefix, suffix] = [program.slice(parent.length + 1, star), program.slice(star + 1)];
  if (!existsSync(parent)) return undefined;
  const versions = readdirSync(parent)
    .filter((entry) => entry.startsWith(prefix))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  return versions.map((entry) => join(parent, entry) + suffix).find(isExecutable);
}

/**
 * The path of a program the checks run (`requireTool('haproxy')`): where its Debian package puts
 * it, else on the PATH. A program missing from .ci/system-packages, or not installed, fails the
 * test with one line that says what to do, never a skip.
 */
export function requireTool(name: string): string {
  const tool = systemTools().find((candidate) => programName(candidate) === name);
  if (!tool) {
    throw new Error(
      `${name} is not listed in ${SYSTEM_PACKAGES_FILE}: add a line with its Debian package, its path and the npm scripts that need it, so that both runners install it`,
    );
  }
  const found =
    installedPath(tool.program) ??
    (process.env.PATH ?? '')
      .split(delimiter)
      .map((directory) => join(directory, name))
      .find(isExecutable);
  if (!found) {
    throw new Error(
      `${name} is missing (${tool.program}): install the Debian package ${tool.package} (bash .ci/install-system-packages.sh ${tool.neededBy[0]})`,
    );
  }
  return found;
}
