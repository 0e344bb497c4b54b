/**
 * The kit's memory of key answers, per key URL, bounded: a live channel names a new key every
 * window for hours, so only the most recently used `capacity` answers are kept. A player asks
 * for keys of its current window (and of a DVR window behind it); a key it no longer needs is
 * forgotten, and asking for it again (a seek far back) costs one request.
 */
export class AnswerMemo<T> {
  private readonly answers = new Map<string, T>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('AnswerMemo capacity must be a whole number ≥ 1');
  }

  get(url: string): T | undefined {
    const answer = this.answers.get(url);
    if (answer !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.answers.delete(url);
      this.answers.set(url, answer);
    }
    return answer;
  }

  set(url: string, answer: T): void {
    this.answers.delete(url);
    this.answers.set(url, answer);
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.capacity) break;
      this.answers.delete(oldest);
    }
  }

  /** Forgets `url` only if it still holds this answer (a newer one may have replaced it). */
  deleteIf(url: string, answer: T): void {
    if (this.answers.get(url) === answer) this.answers.delete(url);
  }

  get size(): number {
    return this.answers.size;
  }
}
