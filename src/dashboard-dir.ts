/**
 * Where the built dashboard is: dist/dashboard next to the compiled server (npm start), or the same
 * folder seen from src/ (tests running the TypeScript). Undefined when it was never built.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function dashboardDir(): string | undefined {
  const candidates = [new URL('./dashboard/', import.meta.url), new URL('../dist/dashboard/', import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(`${path}index.html`)) return path;
  }
  return undefined;
}
