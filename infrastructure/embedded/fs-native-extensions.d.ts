// fs-native-extensions ships no typings; this is the slice data-dir-lock.ts uses.
declare module 'fs-native-extensions' {
  /** A non-blocking exclusive (or shared) lock on an open file; false when another holds it. */
  export function tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
  export function unlock(fd: number, offset?: number, length?: number): void;
}
