/** Identifier rules. Pure. */

/** Slugs: lower-case letters, digits, dash and underscore; must start with a letter or digit. */
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isSlug(value: string): boolean {
  return SLUG.test(value);
}

export const SLUG_RULE = 'lower-case letters, digits, "-" or "_", starting with a letter or digit, at most 63 characters';
export const SLUG_PATTERN = SLUG.source;
