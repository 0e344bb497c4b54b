import { Match } from 'aws-cdk-lib/assertions';
import { bucketByOutput, expectPrivateOriginBucket, synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = synthKeygate();
});
afterAll(() => synth.cleanup());

const mediaBucket = () => bucketByOutput(synth, 'MediaBucketName');

describe('MediaStorage', () => {
  it('keeps the media bucket private, encrypted, versioned, owner-enforced and retained', () => {
    expectPrivateOriginBucket(mediaBucket(), 's3-access/');
  });

  it('lets only CloudFront, through Origin Access Control of this distribution, read the media bucket', () => {
    const { statements } = mediaBucket();
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allows[0].Condition)).toContain('distribution/');
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  it('never lets CloudFront list the media bucket: GET / through the default behavior would list every title', () => {
    expect(JSON.stringify(mediaBucket().statements)).not.toContain('s3:ListBucket');
  });

  it('expires logs after the configured retention', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
  });
});
