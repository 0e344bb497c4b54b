import { KeygateError } from '../keygate-error';

/** The key provider refused the request (4xx): asking again will not help; its message says why. */
export class KeyProviderRefusedError extends KeygateError {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    detail: string,
  ) {
    super(`the key provider refused the key request (${status}${reason ? ` ${reason}` : ''}): ${detail}`);
  }
}

/** The key provider could not be reached or kept failing (5xx, timeouts) through every attempt. */
export class KeyProviderUnavailableError extends KeygateError {
  constructor(detail: string) {
    super(`the key provider is unavailable: ${detail}. Check --key-provider and that the provider is running`);
  }
}

/** The key provider answered 200 with something that is not the key asked for. */
export class KeyProviderAnswerError extends KeygateError {
  constructor(detail: string) {
    super(`the key provider's answer is unusable: ${detail}`);
  }
}
