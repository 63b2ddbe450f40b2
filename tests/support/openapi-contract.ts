import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import openApiDocument from '../../interfaces/http/openapi.json' with { type: 'json' };

// The document is loosely typed JSON; the functions below check the shape they rely on.
type Json = any;
export const openApi: Json = openApiDocument;

/**
 * OpenAPI 3.1's Schema Object is JSON Schema 2020-12, so Ajv's 2020 build validates answers against
 * the document as it is: the whole document is one schema resource and every schema is reached by
 * its JSON pointer, `$ref`s included. (`example` and the OpenAPI keywords are annotations.)
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openApi, 'openapi.json');

/** Answers of no operation, by status (info.description names them). */
const ANSWERS_OF_NO_OPERATION: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  431: 'RequestHeaderFieldsTooLarge',
  501: 'NotImplemented',
};

export interface LiveAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  /** The raw body text. */
  readonly text: string;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function resolve(node: Json): { node: Json; at: string | null } {
  if (node && typeof node.$ref === 'string') {
    const at = node.$ref.replace(/^#/, '');
    return {
      node: at
        .split('/')
        .slice(1)
        .reduce((n: Json, key: string) => n?.[key.replaceAll('~1', '/')], openApi),
      at,
    };
  }
  return { node, at: null };
}

/** Where the document describes this answer: the operation's response, or a shared one. */
function documentedResponse(method: string, path: string, status: number): { where: string; at: string } | null {
  const operation = openApi.paths[path]?.[method.toLowerCase()];
  if (operation) {
    const response = operation.responses[String(status)];
    if (!response) return null;
    const { at } = resolve(response);
    return {
      where: `${method} ${path} ${status}`,
      at: at ?? `/${pointer('paths', path, method.toLowerCase(), 'responses', String(status))}`,
    };
  }
  const shared = ANSWERS_OF_NO_OPERATION[status];
  return shared ? { where: `${status} (no operation)`, at: `/components/responses/${shared}` } : null;
}

/** Every problem of a live answer against the document: status, media type, headers, body. */
export function contractProblems(method: string, path: string, answer: LiveAnswer): string[] {
  const documented = documentedResponse(method, path, answer.status);
  if (!documented) return [`${method} ${path} answered ${answer.status}, which the document does not describe`];
  const response = resolve({ $ref: `#${documented.at}` }).node;
  const problems: string[] = [];
  for (const [name, header] of Object.entries<Json>(response.headers ?? {})) {
    const spec = resolve(header);
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) {
      if (spec.node.required) problems.push(`header ${name} is missing`);
      continue;
    }
    const schemaAt = spec.at ? `${spec.at}/schema` : `${documented.at}/${pointer('headers', name, 'schema')}`;
    problems.push(...schemaProblems(schemaAt, String(value), `header ${name}`));
  }
  const mediaType = String(answer.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (!response.content?.[mediaType]) {
    return [...problems, `content type ${mediaType || '(none)'} is not one of ${Object.keys(response.content ?? {})}`];
  }
  let body: unknown = answer.text;
  if (mediaType === 'application/json') {
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [...problems, 'the body is not JSON'];
    }
  }
  problems.push(...schemaProblems(`${documented.at}/${pointer('content', mediaType, 'schema')}`, body, 'body'));
  return problems;
}

/** Problems of a value against the schema at a JSON pointer of the document. */
export function schemaProblems(at: string, value: unknown, what = 'value'): string[] {
  const validate = ajv.getSchema(`openapi.json#${at}`);
  if (!validate) throw new Error(`no schema at ${at}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message} (${JSON.stringify(e.params)})`);
}

/** The (operation, status) pairs of the document, but the parser's answers shared by all. */
export function documentedOperationAnswers(): string[] {
  const pairs: string[] = [];
  for (const [path, item] of Object.entries<Json>(openApi.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (!isMethod(method)) continue;
      for (const [status, response] of Object.entries<Json>(operation.responses)) {
        if (!isParserAnswer(response)) pairs.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  return pairs;
}

/** The keys of a Path Item that name operations (not `parameters`, `servers`, `summary`, ...). */
export function isMethod(key: string): boolean {
  return ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(key);
}

/** Answered by the HTTP parser before any route: the same component on every operation. */
function isParserAnswer(response: Json): boolean {
  return /^#\/components\/responses\/(BadRequest|RequestTimeout|RequestHeaderFieldsTooLarge)$/.test(
    response.$ref ?? '',
  );
}
