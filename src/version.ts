/** The package version, read once from package.json (beside src/ and dist/). */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function wafleetVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
