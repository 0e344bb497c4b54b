import { describeError } from '../../../lib/cli/describe-error';
import { KeygateError } from '../../../lib/keygate-error';

/** An error as the SDK's credential chain throws it when it finds nothing. */
const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

describe('describeError', () => {
  it('suggests --profile for missing credentials only to a command that takes it', () => {
    expect(describeError(noCredentials(), { takesProfile: true })).toBe(
      'no AWS credentials: set AWS_PROFILE, pass --profile or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
    expect(describeError(noCredentials(), { takesProfile: false })).toBe(
      'no AWS credentials: set AWS_PROFILE or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
  });

  it('adds the flag to change to a library error that names its input', () => {
    expect(describeError(new KeygateError('must be a duration', 'for'))).toBe('--for must be a duration');
  });

  it('leaves an unexpected error to the caller (undefined)', () => expect(describeError(new TypeError('x is undefined'))).toBeUndefined());
});
