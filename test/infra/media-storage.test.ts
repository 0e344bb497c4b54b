import { Match } from 'aws-cdk-lib/assertions';
import { bucketByOutput, expectPrivateOriginBucket, sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
});

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
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
  });

  it('grants S3 log delivery by bucket policy, with no bucket ACL anywhere', () => {
    const buckets = Object.values(synth.template.findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    for (const bucket of buckets) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
    const logPolicy = Object.values(synth.template.findResources('AWS::S3::BucketPolicy')).find((p) =>
      JSON.stringify(p).includes('logging.s3.amazonaws.com'),
    ) as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } } | undefined;
    const writes = logPolicy?.Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow') ?? [];
    // One grant per logged bucket (media and keys), each limited to that bucket's prefix and this account.
    expect(writes).toHaveLength(2);
    for (const write of writes) {
      expect(write).toMatchObject({
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
    }
  });
});
