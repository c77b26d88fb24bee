/**
 * Webhook secrets and custom headers are stored sealed with the master key (AES-256-GCM), bound to
 * their webhook id and to what they are, so a sealed secret cannot be passed off as headers.
 * Custom headers carry the receiver's credentials (Authorization, X-Api-Key), like the secret.
 */
import type { AuthStateCipher } from '../security/cipher.ts';

export interface SecretBox {
  seal(webhookId: string, secret: string): string;
  open(webhookId: string, sealed: string): string;
  sealHeaders(webhookId: string, headers: Record<string, string>): string;
  /** Also reads headers stored in clear (a JSON object) by earlier versions, until the start-up pass seals them. */
  openHeaders(webhookId: string, stored: string): Record<string, string>;
}

/** Headers as earlier versions stored them: a JSON object in clear. Sealed values are base64, never "{…". */
export function isClearHeaders(stored: string): boolean {
  return stored.startsWith('{');
}

export function createSecretBox(cipher: AuthStateCipher): SecretBox {
  const address = (webhookId: string, category: string) => ({ sessionId: '-', category, keyId: webhookId });
  const seal = (webhookId: string, category: string, value: string) => cipher.encrypt(address(webhookId, category), Buffer.from(value, 'utf8')).toString('base64');
  const open = (webhookId: string, category: string, sealed: string) => cipher.decrypt(address(webhookId, category), Buffer.from(sealed, 'base64')).toString('utf8');
  return {
    seal: (webhookId, secret) => seal(webhookId, 'webhook-secret', secret),
    open: (webhookId, sealed) => open(webhookId, 'webhook-secret', sealed),
    sealHeaders: (webhookId, headers) => seal(webhookId, 'webhook-headers', JSON.stringify(headers)),
    openHeaders: (webhookId, stored) => JSON.parse(isClearHeaders(stored) ? stored : open(webhookId, 'webhook-headers', stored)) as Record<string, string>,
  };
}
