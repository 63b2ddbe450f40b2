import type { CollectedSpan } from '../../harness/fake-otlp-collector.js';

/**
 * A trace drawn as lines, children indented under their parent in the order they started:
 *   GET /ping
 *     GET
 *     lease take
 *       SET
 * so a test states the whole shape of a trace in one deep-equal.
 */
export function drawTree(spans: readonly CollectedSpan[], root: CollectedSpan): string[] {
  const children = (parent: CollectedSpan) =>
    spans
      .filter((span) => span.parentSpanId === parent.spanId)
      .sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const lines: string[] = [];
  const draw = (span: CollectedSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.name}`);
    for (const child of children(span)) draw(child, depth + 1);
  };
  draw(root, 0);
  return lines;
}

/** The trace id of an answer's `traceparent`. */
export function traceIdOf(traceparent: string | null): string {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceparent ?? '');
  if (!match) throw new Error(`not a W3C traceparent: ${traceparent}`);
  return match[1]!;
}

/** The one server span of a trace, once the collector has it and `expected` spans in all. */
export function serverSpanOf(spans: readonly CollectedSpan[], traceId: string): CollectedSpan {
  const servers = spans.filter((span) => span.traceId === traceId && span.kind === 'SERVER');
  if (servers.length !== 1) throw new Error(`expected one server span in trace ${traceId}, got ${servers.length}`);
  return servers[0]!;
}
