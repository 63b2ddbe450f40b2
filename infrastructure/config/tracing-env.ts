import * as v from 'valibot';

/** What the service exports over: OTLP/HTTP with either encoding (gRPC is not built in). */
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The samplers of the OpenTelemetry specification that the SDK ships (not jaeger_remote, xray). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

const endpoint = v.optional(
  v.pipe(
    v.string(),
    v.check((value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL (OTLP/HTTP, e.g. http://otel-collector:4318)'),
  ),
);

const protocol = v.optional(
  v.picklist(OTLP_PROTOCOLS, `must be ${OTLP_PROTOCOLS.join(' or ')} (this service exports over OTLP/HTTP only)`),
);

/**
 * `key=value,key=value`, `,` and `=` percent-encoded inside keys and values: the SDK discards the
 * whole variable, silently, when one pair is malformed, so a typo is refused here instead.
 */
function isResourceAttributeList(value: string): boolean {
  return value
    .split(',')
    .filter((pair) => pair.trim() !== '')
    .every((pair) => {
      const parts = pair.split('=');
      if (parts.length !== 2 || parts[0]!.trim() === '') return false;
      try {
        return parts.every((part) => decodeURIComponent(part.trim()).length <= 255);
      } catch {
        return false;
      }
    });
}

/**
 * The standard OpenTelemetry variables the service itself interprets (docs/configuration.md lists
 * the ones only the SDK reads: headers, timeout, compression, certificates). The SDK falls back
 * to a default, with no more than a debug line, on a value it cannot use; here such a value stops
 * the process at start like any other bad setting.
 */
export const tracingEnv = {
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_SERVICE_NAME: v.optional(v.string()),
  OTEL_RESOURCE_ATTRIBUTES: v.optional(
    v.pipe(
      v.string(),
      v.check(isResourceAttributeList, 'must be key=value pairs separated by commas (percent-encode , and = inside)'),
    ),
  ),
  OTEL_TRACES_SAMPLER: v.optional(
    v.picklist(SAMPLERS, `must be one of ${SAMPLERS.join(', ')}`),
    'parentbased_always_on',
  ),
  OTEL_TRACES_SAMPLER_ARG: v.optional(
    v.pipe(v.string(), v.regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number from 0 to 1'), v.transform(Number)),
  ),
};
