/**
 * The error-code registry: every code a client can see, its HTTP status and default message.
 * docs/errors.md lists each one; test/unit/errors-doc.test.ts keeps the two in sync.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  INVALID_ID: { status: 400, message: 'The id is not valid.' },
  INVALID_PHONE_NUMBER: { status: 400, message: 'The phone number is not valid.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNAUTHORIZED: { status: 401, message: 'A valid API key is required.' },
  FORBIDDEN: { status: 403, message: 'This key is not allowed to do that.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  TENANT_NOT_FOUND: { status: 404, message: 'Tenant not found.' },
  TENANT_EXISTS: { status: 409, message: 'A tenant with this id already exists.' },
  KEY_NOT_FOUND: { status: 404, message: 'API key not found.' },
  KEY_REVOKE_SELF: { status: 409, message: 'A key cannot revoke itself: use another admin key.' },
  SESSION_NOT_FOUND: { status: 404, message: 'Session not found.' },
  SESSION_EXISTS: { status: 409, message: 'A session with this id already exists.' },
  SESSION_QUOTA_EXCEEDED: { status: 409, message: 'The tenant has reached its maxSessions quota.' },
  SESSION_NOT_RUNNING: { status: 409, message: 'The session is not running.' },
  SESSION_STATE_CONFLICT: { status: 409, message: 'The session cannot do that in its current status.' },
  QR_NOT_AVAILABLE: { status: 409, message: 'No QR code is available: the session is not waiting for a scan.' },
  INVALID_RECIPIENT: { status: 400, message: 'The recipient is not a phone number or a WhatsApp JID.' },
  MESSAGE_NOT_FOUND: { status: 404, message: 'Message not found.' },
  MEDIA_FETCH_FAILED: { status: 422, message: 'The media URL could not be fetched.' },
  MEDIA_TOO_LARGE: { status: 413, message: 'The media is larger than the limit.' },
  MEDIA_TYPE_NOT_ALLOWED: { status: 415, message: 'The media type is not allowed for this message type.' },
  URL_NOT_ALLOWED: { status: 400, message: 'The URL points to a private or loopback address.' },
  MEDIA_NOT_AVAILABLE: { status: 404, message: 'This message has no downloadable media.' },
  MESSAGE_SEND_FAILED: { status: 502, message: 'WhatsApp did not accept the message.' },
  ENGINE_NOT_FOUND: { status: 400, message: 'Unknown engine.' },
  ENGINE_FEATURE_UNSUPPORTED: { status: 501, message: 'The session engine does not support this feature.' },
  ENGINE_METHOD_NOT_ALLOWED: { status: 403, message: 'This engine method is not on the passthrough allowlist.' },
  ENGINE_ERROR: { status: 502, message: 'The WhatsApp engine failed to do that.' },
  AUTH_STATE_CORRUPT: { status: 500, message: 'Stored auth state could not be decrypted (wrong master key or tampered data).' },
  STORE_UNAVAILABLE: { status: 503, message: 'The store is not reachable.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  INTERNAL: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
