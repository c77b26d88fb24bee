/** Webhook secrets are stored sealed with the master key (AES-256-GCM), bound to their webhook id. */
import type { AuthStateCipher } from '../security/cipher.ts';

export interface SecretBox {
  seal(webhookId: string, secret: string): string;
  open(webhookId: string, sealed: string): string;
}

export function createSecretBox(cipher: AuthStateCipher): SecretBox {
  const address = (webhookId: string) => ({ sessionId: '-', category: 'webhook-secret', keyId: webhookId });
  return {
    seal: (webhookId, secret) => cipher.encrypt(address(webhookId), Buffer.from(secret, 'utf8')).toString('base64'),
    open: (webhookId, sealed) => cipher.decrypt(address(webhookId), Buffer.from(sealed, 'base64')).toString('utf8'),
  };
}
