/** Something that holds a resource (a pool, a socket, a timer): maybe opened at start, released on shutdown. */
export interface Managed {
  readonly name: string;
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The components the process opens and closes, in the order given when it is made: start runs
 * in that order, shutdown closes in reverse, so a component is closed before what it depends
 * on, and one failing close does not keep the others open.
 */
export class Lifecycle {
  private readonly components: readonly Managed[];

  constructor(components: ReadonlyArray<Managed | null>) {
    this.components = components.filter((component) => component !== null);
  }

  /** The components' names in start order (what the composition root listed). */
  get names(): string[] {
    return this.components.map((component) => component.name);
  }

  async startAll(): Promise<void> {
    for (const component of this.components) await component.start?.();
  }

  async closeAll(): Promise<Array<{ name: string; error: unknown }>> {
    const failures: Array<{ name: string; error: unknown }> = [];
    for (const component of [...this.components].reverse()) {
      try {
        await component.close?.();
      } catch (error) {
        failures.push({ name: component.name, error });
      }
    }
    return failures;
  }
}
