/** Per-recipient text for bulk sends: `{{name}}` is replaced by the recipient's variable `name`. */
import { AppError } from '../errors/app-error.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/g;

/** Fills every placeholder; a placeholder without a value is the caller's mistake, named in the error. */
export function render(template: string, variables: Record<string, string> | undefined, field: string): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = variables?.[name];
    if (value === undefined) {
      throw new AppError('VALIDATION_FAILED', `${field} has no value for {{${name}}}: add "${name}" to its variables.`, { field });
    }
    return value;
  });
}
