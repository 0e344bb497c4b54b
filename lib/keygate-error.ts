/**
 * A failure the user can fix. Its message says what was wrong, in the library's own words; `input`
 * names the input at fault (`until`, `force`, `port`…) so that each front end can say which flag,
 * column or setting to change. The CLI prints every KeygateError as one line, in one place.
 */
export class KeygateError extends Error {
  constructor(
    message: string,
    readonly input?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
