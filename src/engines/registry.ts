import type { Engine } from './engine.ts';
import { AppError } from '../errors/app-error.ts';

/** The engines this process offers, by name. Filled by the composition root. */
export class EngineRegistry {
  private readonly engines = new Map<string, Engine>();

  register(engine: Engine): this {
    this.engines.set(engine.name, engine);
    return this;
  }

  get(name: string): Engine {
    const engine = this.engines.get(name);
    if (!engine) {
      throw new AppError('ENGINE_NOT_FOUND', `Unknown engine "${name}". Available: ${this.names().join(', ') || 'none'}.`);
    }
    return engine;
  }

  has(name: string): boolean {
    return this.engines.has(name);
  }

  names(): string[] {
    return [...this.engines.keys()];
  }
}
