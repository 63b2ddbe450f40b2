/**
 * Just enough of GitLab's pipeline semantics to ask ".gitlab-ci.yml" what it would do for a given
 * push: `workflow:rules` and job `rules` (first match wins), `if:` expressions, and `changes:`
 * globs (GitLab matches them with Ruby's File.fnmatch and FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB).
 */
import type { Yaml } from './delivery-files.js';

export type Variables = Readonly<Record<string, string | undefined>>;

export interface Push {
  /** Predefined variables of the pipeline, e.g. CI_PIPELINE_SOURCE, CI_COMMIT_BRANCH. */
  readonly variables: Variables;
  /** The files the push (or the merge request) changed. */
  readonly changedFiles: readonly string[];
}

export interface PlannedJob {
  readonly name: string;
  readonly when: string;
  readonly variables: Record<string, string>;
}

const KEYWORDS = new Set([
  'stages',
  'workflow',
  'default',
  'variables',
  'include',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
]);

export function jobsOf(pipeline: Yaml): Record<string, Yaml> {
  return Object.fromEntries(
    Object.entries(pipeline as Record<string, Yaml>).filter(([name]) => !KEYWORDS.has(name) && !name.startsWith('.')),
  );
}

/** The jobs GitLab would create for this push, or null when the workflow rules create no pipeline. */
export function planPipeline(pipeline: Yaml, push: Push): PlannedJob[] | null {
  const workflowRules = pipeline.workflow?.rules as Yaml[] | undefined;
  if (workflowRules) {
    const rule = firstMatch(workflowRules, push);
    if (!rule || rule.when === 'never') return null;
  }
  const planned: PlannedJob[] = [];
  for (const [name, job] of Object.entries(jobsOf(pipeline))) {
    const jobVariables = { ...(job.variables ?? {}) } as Record<string, string>;
    if (!job.rules) {
      if (job.when !== 'never') planned.push({ name, when: job.when ?? 'on_success', variables: jobVariables });
      continue;
    }
    const rule = firstMatch(job.rules as Yaml[], push);
    if (!rule || rule.when === 'never') continue;
    planned.push({
      name,
      when: rule.when ?? job.when ?? 'on_success',
      variables: { ...jobVariables, ...(rule.variables ?? {}) },
    });
  }
  return planned;
}

function firstMatch(rules: Yaml[], push: Push): Yaml | undefined {
  return rules.find((rule) => {
    if (rule.if !== undefined && !evaluateIf(String(rule.if), push.variables)) return false;
    if (rule.changes !== undefined) {
      const patterns: string[] = Array.isArray(rule.changes) ? rule.changes : rule.changes.paths;
      if (!push.changedFiles.some((file) => patterns.some((pattern) => globMatches(pattern, file)))) return false;
    }
    if (rule.exists !== undefined) throw new Error('rules:exists is not simulated');
    return true;
  });
}

// ---- `if:` expressions ------------------------------------------------------------------------

type Token = { kind: 'var' | 'string' | 'regex' | 'null' | 'op' | 'paren'; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\$\{?\w+\}?)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\/(?:[^/\\]|\\.)*\/[a-z]*)|(null)\b|(==|!=|=~|!~|&&|\|\|)|([()]))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(expression);
    if (!match) throw new Error(`cannot parse rules:if expression at "${expression.slice(index)}"`);
    index = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: 'var', value: match[1].replace(/^\$\{?|\}$/g, '') });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', value: match[3] });
    else if (match[4]) tokens.push({ kind: 'regex', value: match[4] });
    else if (match[5]) tokens.push({ kind: 'null', value: 'null' });
    else if (match[6]) tokens.push({ kind: 'op', value: match[6] });
    else if (match[7]) tokens.push({ kind: 'paren', value: match[7] });
  }
  return tokens;
}

function evaluateIf(expression: string, variables: Variables): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const value = (token: Token): string | null =>
    token.kind === 'var' ? (variables[token.value] ?? null) : token.kind === 'null' ? null : token.value;
  const truthy = (v: string | null) => v !== null && v !== '';

  const comparison = (): boolean => {
    const token = tokens[position++];
    if (!token) throw new Error(`incomplete rules:if expression: ${expression}`);
    if (token.kind === 'paren' && token.value === '(') {
      const result = or();
      position++; // ')'
      return result;
    }
    const operator = peek();
    if (operator?.kind === 'op' && ['==', '!=', '=~', '!~'].includes(operator.value)) {
      position++;
      const right = tokens[position++]!;
      const left = value(token);
      if (operator.value === '==' || operator.value === '!=') {
        return (left === value(right)) === (operator.value === '==');
      }
      const [, body, flags] = /^\/(.*)\/([a-z]*)$/.exec(right.value)!;
      return new RegExp(body!, flags).test(left ?? '') === (operator.value === '=~');
    }
    return truthy(value(token));
  };
  const and = (): boolean => {
    let result = comparison();
    while (peek()?.value === '&&') {
      position++;
      result = comparison() && result;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (peek()?.value === '||') {
      position++;
      result = and() || result;
    }
    return result;
  };
  return or();
}

// ---- `changes:` globs -------------------------------------------------------------------------

/** File.fnmatch(pattern, path, FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB), for the syntax GitLab documents. */
export function globMatches(pattern: string, path: string): boolean {
  return new RegExp(`^${globToRegExp(pattern)}$`).test(path);
}

function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*' && glob[i + 2] === '/') {
      out += '(?:[^/]*/)*';
      i += 2;
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      out += '[' + glob.slice(i + 1, end).replace(/^!/, '^') + ']';
      i = end;
    } else if (c === '{') {
      let depth = 0;
      let end = i;
      for (; end < glob.length; end++) {
        if (glob[end] === '{') depth++;
        if (glob[end] === '}' && --depth === 0) break;
      }
      const alternatives = splitTopLevel(glob.slice(i + 1, end));
      out += `(?:${alternatives.map(globToRegExp).join('|')})`;
      i = end;
    } else {
      out += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    current += c;
  }
  parts.push(current);
  return parts;
}

/** `$NAME` and `${NAME}` expanded from the given variables (unknown names are left as they are). */
export function expandVariables(text: string, variables: Variables): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const value = variables[(braced ?? bare)!];
    return value === undefined ? whole : expandVariables(value, variables);
  });
}
