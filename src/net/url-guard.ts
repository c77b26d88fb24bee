/**
 * The early SSRF check, when an API call hands wafleet a URL (a webhook, a media URL): a clear 400
 * URL_NOT_ALLOWED instead of a failure later. It is a courtesy, not the guard: DNS can answer
 * differently when the URL is fetched, so the connection itself is checked again by the agents of
 * outbound-guard.ts.
 */
import { AppError } from '../errors/app-error.ts';
import { AddressNotAllowedError, type OutboundGuard } from './outbound-guard.ts';

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Throws URL_NOT_ALLOWED unless every address the URL's host resolves to may be dialled; MEDIA_FETCH_FAILED when it does not resolve. */
export async function assertAllowedUrl(guard: OutboundGuard, url: URL, what: string): Promise<void> {
  const host = hostOf(url);
  try {
    await guard.resolveChecked(host);
  } catch (error) {
    if (error instanceof AddressNotAllowedError) throw new AppError('URL_NOT_ALLOWED', `${what}: ${error.message}.`);
    throw new AppError('MEDIA_FETCH_FAILED', `${what}: the host "${host}" does not resolve.`);
  }
}
