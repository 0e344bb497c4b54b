/** A short, machine-readable reason for a refused SPEKE request: the `x-keygate-reason` header and the log. */
export type SpekeRefusalReason =
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'malformed-xml'
  | 'hostile-xml'
  | 'unsupported-speke-version'
  | 'invalid-cpix'
  | 'unsupported-drm-system'
  | 'unsupported-contract'
  | 'unknown-channel';

/**
 * A request the key provider refuses, before it stores anything. `message` is the SPEKE
 * specification's standard error text where it has one (encryptors and their logs know those
 * strings); `help` says what to change, on the body's second line.
 */
export class SpekeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: SpekeRefusalReason,
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get body(): string {
    return this.help === undefined ? this.message : `${this.message}\n${this.help}`;
  }
}

/** The SPEKE/CPIX errors: the specification allows 422 for every one of them. */
export const cpixRefusal = (reason: SpekeRefusalReason, message: string, help?: string) => new SpekeRefusal(422, reason, message, help);

/** An untrusted value as it may appear in a message: quoted, control characters escaped, cut short. */
export const quoted = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
