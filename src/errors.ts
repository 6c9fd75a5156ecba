// porta's one error class: a stable code users can match on, and a message they can act on.

export type PortaErrorCode =
  | 'PORTA_CONFIG_INVALID'
  | 'PORTA_LISTEN_FAILED'
  | 'PORTA_ADDRESS_INVALID'
  | 'PORTA_USAGE'
  | 'PORTA_CLIENT_ABORTED'
  | 'PORTA_APP_INVALID'
  | 'PORTA_INTERNAL';

export class PortaError extends Error {
  readonly code: PortaErrorCode;

  constructor(code: PortaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PortaError';
    this.code = code;
  }
}

export function isPortaError(error: unknown): error is PortaError {
  return error instanceof PortaError;
}

/** A request body that ended early by the client's doing (reset, bad framing, timeout): not a server fault. */
export function clientAborted(reason: string): PortaError {
  return new PortaError('PORTA_CLIENT_ABORTED', reason);
}
