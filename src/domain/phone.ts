/** Phone number rules (E.164 digits, optional leading +). Pure. */

const E164_DIGITS = /^[1-9][0-9]{6,14}$/;

/** Returns the digits of a phone number, or undefined when it is not a plausible E.164 number. */
export function normalizePhone(input: string): string | undefined {
  const compact = input.trim().replace(/[\s().-]/g, '');
  const digits = compact.startsWith('+') ? compact.slice(1) : compact;
  return E164_DIGITS.test(digits) ? digits : undefined;
}
