/** Something that holds a resource (a pool, a socket, a queue): maybe opened at start, released on shutdown. */
export interface Managed {
  readonly name: string;
  start?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Adapters register what they open. Start runs in registration order; shutdown closes in
 * reverse, so a component is closed before what it depends on, and one failing close does not
 * keep the others open.
 */
export class Lifecycle {
  private readonly managed: Managed[] = [];
  private readonly started: Managed[] = [];

  register(component: Managed): void {
    this.managed.push(component);
  }

  async startAll(): Promise<void> {
    for (const component of this.managed) {
      if (this.started.includes(component)) continue;
      await component.start?.();
      this.started.push(component);
    }
  }

  async closeAll(): Promise<Array<{ name: string; error: unknown }>> {
    const failures: Array<{ name: string; error: unknown }> = [];
    for (const component of [...this.managed].reverse()) {
      try {
        await component.close?.();
      } catch (error) {
        failures.push({ name: component.name, error });
      }
    }
    this.managed.length = 0;
    this.started.length = 0;
    return failures;
  }
}
