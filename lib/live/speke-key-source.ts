import { readCpixKeyResponse } from './cpix-key-response';
import { kidForPeriod, renderCpixKeyRequest } from './cpix-key-request-document';
import { parseCpixXml } from './cpix-xml';
import type { LiveKey, LiveKeySource } from './live-key-source';
import { KeyProviderAnswerError, KeyProviderRefusedError, KeyProviderUnavailableError } from './speke-client-errors';
import { SPEKE_2_HEADER } from './speke-profile';
import { SpekeRefusal } from './speke-refusal';

/** A SPEKE request as it will be sent: what a signer (SigV4 for a deployed provider) may add headers to. */
export interface SpekeHttpRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SpekeKeySourceOptions {
  /** The provider's SPEKE endpoint URL. */
  readonly endpoint: string;
  /** Signs each request before it is sent (each attempt anew); none for a local provider. */
  readonly signRequest?: (request: SpekeHttpRequest) => Promise<SpekeHttpRequest>;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts on a 5xx or a network failure (default 3); a 4xx is never retried. */
  readonly attempts?: number;
  /** Delay before attempt n+1 is n × this (default 500 ms). */
  readonly retryDelayMs?: number;
  /** After each key, ask for the next period's in the background (default off). */
  readonly prefetchNext?: boolean;
  readonly fetch?: typeof fetch;
}

const MAX_CACHED = 8;

/**
 * A LiveKeySource that asks a SPEKE key provider over HTTP exactly as MediaPackage v2 does: a CPIX
 * 2.3 request for one key period (X-Speke-Version: 2.0), answered with the key, its explicit IV and
 * the EXT-X-KEY tag naming Keygate's key URL. The provider stores the key before it answers, so a
 * resolved key is in the key bucket. Answers are kept for the few periods around the current one.
 */
export class SpekeKeySource implements LiveKeySource {
  private readonly answers = new Map<string, Promise<LiveKey>>();

  constructor(private readonly options: SpekeKeySourceOptions) {}

  keyFor(channel: string, period: number): Promise<LiveKey> {
    const answer = this.ask(channel, period);
    if (this.options.prefetchNext)
      answer.then(
        () => this.ask(channel, period + 1).catch(() => {}),
        () => {},
      );
    return answer;
  }

  private ask(channel: string, period: number): Promise<LiveKey> {
    const id = `${channel}\n${period}`;
    const known = this.answers.get(id);
    if (known) return known;
    const answer = this.request(channel, period);
    this.answers.set(id, answer);
    answer.catch(() => this.answers.delete(id));
    if (this.answers.size > MAX_CACHED) this.answers.delete(this.answers.keys().next().value as string);
    return answer;
  }

  private async request(channel: string, period: number): Promise<LiveKey> {
    const kid = kidForPeriod(channel, period);
    const unsigned: SpekeHttpRequest = {
      url: this.options.endpoint,
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'x-speke-version': SPEKE_2_HEADER },
      body: renderCpixKeyRequest(channel, period, kid),
    };
    const attempts = Math.max(1, this.options.attempts ?? 3);
    let lastFailure = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((done) => setTimeout(done, (attempt - 1) * (this.options.retryDelayMs ?? 500)));
      let response: Response;
      try {
        const signed = this.options.signRequest ? await this.options.signRequest(unsigned) : unsigned;
        response = await (this.options.fetch ?? fetch)(signed.url, {
          method: signed.method,
          headers: signed.headers,
          body: signed.body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        lastFailure = (error as Error).message;
        continue;
      }
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status >= 500) {
        lastFailure = `${response.status} ${Buffer.from(body).toString('utf8').split('\n')[0]}`;
        continue;
      }
      if (response.status !== 200) {
        const detail = Buffer.from(body.subarray(0, 2048)).toString('utf8').trim().split('\n').join(' ');
        throw new KeyProviderRefusedError(response.status, response.headers.get('x-keygate-reason') ?? undefined, detail);
      }
      if (response.headers.get('x-speke-version') !== SPEKE_2_HEADER) {
        throw new KeyProviderAnswerError(`it does not echo X-Speke-Version: ${SPEKE_2_HEADER}`);
      }
      try {
        return readCpixKeyResponse(parseCpixXml(body), channel, period, kid);
      } catch (error) {
        if (error instanceof SpekeRefusal) throw new KeyProviderAnswerError(`${error.message}${error.help ? ` (${error.help})` : ''}`);
        throw error;
      }
    }
    throw new KeyProviderUnavailableError(`${attempts} attempts to ${this.options.endpoint} failed, the last with ${lastFailure}`);
  }
}
