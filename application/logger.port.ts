/** The slice of a structured logger (pino) that the inner layers use. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** Lets a caller skip building a line that would be dropped (pino has it). */
  isLevelEnabled?(level: string): boolean;
}
