import type { KeyFetcher } from './key-fetcher';
import { REASON_HEADER } from './key-fetcher';

type Handler = ((event?: unknown) => void) | null;

/**
 * Just enough of an XMLHttpRequest for a player that accepts its own xhr object (video.js's VHS
 * does, through its request hooks): the request is answered by the KeyFetcher, so a key the
 * player asks for again is served from the kit's cache instead of the network. VHS listens for
 * `loadend` on every request of a segment (an aborted one aborts the rest), hence the EventTarget.
 */
export class KeyXhr extends EventTarget {
  readyState = 0;
  status = 0;
  statusText = '';
  response: ArrayBuffer | null = null;
  responseText = '';
  responseType: XMLHttpRequestResponseType = '';
  responseURL = '';
  withCredentials = false;
  timeout = 0;
  onreadystatechange: Handler = null;
  onload: Handler = null;
  onerror: Handler = null;
  onabort: Handler = null;
  ontimeout: Handler = null;
  onprogress: Handler = null;
  private target = '';
  private reason: string | null = null;
  private aborted = false;

  constructor(
    private readonly fetcher: KeyFetcher,
    private readonly absoluteUrl: (url: string) => string,
  ) {
    super();
  }

  open(_method: string, url: string): void {
    this.target = this.absoluteUrl(url);
    this.readyState = 1;
  }

  /** The kit decides the key request's headers (the bearer token); the player's are not needed. */
  setRequestHeader(): void {}

  send(): void {
    void this.fetcher.fetchKey(this.target).then((result) => {
      if (this.aborted) return;
      this.readyState = 4;
      this.responseURL = this.target;
      if (result.kind === 'failed' && result.status === 0) {
        this.onerror?.(new Error(`key request to ${this.target} failed`));
        this.dispatchEvent(new Event('loadend'));
        return;
      }
      if (result.kind === 'key') {
        this.status = result.status;
        this.response = result.bytes;
      } else {
        const { status, reason } = result.kind === 'denied' ? result.denial : result;
        this.status = status;
        this.reason = reason;
        this.response = new ArrayBuffer(0);
      }
      this.onreadystatechange?.();
      this.onload?.();
      this.dispatchEvent(new Event('loadend'));
    });
  }

  abort(): void {
    if (this.aborted || this.readyState === 4) return;
    this.aborted = true;
    this.onabort?.();
    this.dispatchEvent(new Event('loadend'));
  }

  getResponseHeader(name: string): string | null {
    return name.toLowerCase() === REASON_HEADER ? this.reason : null;
  }

  getAllResponseHeaders(): string {
    return this.reason === null ? '' : `${REASON_HEADER}: ${this.reason}\r\n`;
  }
}
