import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  behaviorRoutes,
  bucketByOutput,
  expectPrivateOriginBucket,
  sharedSynthKeygate,
  type BehaviorRoute,
  type SynthesizedKeygate,
} from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
});

/**
 * The rule of the design: a behavior that does not run the key authorizer on viewer-request must not
 * reach a bucket that holds keys. A CloudFront Function only rewrites (the path-token one strips the
 * token unverified), so it gates nothing.
 */
const AUTHORIZER_ASSOCIATION = {
  EventType: 'viewer-request',
  LambdaFunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^KeygateKeyAuthorizer/), 'FunctionArn'] },
};
const runsAuthorizer = (route: BehaviorRoute) =>
  route.viewerRequestLambdas.length === 1 &&
  /^\{"EventType":"viewer-request","LambdaFunctionARN":\{"Fn::GetAtt":\["KeygateKeyAuthorizer\w*","FunctionArn"\]\}\}$/.test(
    JSON.stringify(route.viewerRequestLambdas[0]),
  );
const ungatedRoutesTo = (routes: BehaviorRoute[], keyBucket: string) =>
  routes.filter((r) => r.originBucket === keyBucket && !runsAuthorizer(r)).map((r) => r.pathPattern);

describe('KeyStorage', () => {
  it('keeps keys in a bucket of their own: private, encrypted, SSL-only, versioned, access-logged and retained', () => {
    const keys = bucketByOutput(synth, 'KeyBucketName');
    expect(keys.logicalId).not.toBe(bucketByOutput(synth, 'MediaBucketName').logicalId);
    expectPrivateOriginBucket(keys, 's3-access-keys/');
  });

  it('lets only this distribution read key objects, through Origin Access Control, and nothing else in', () => {
    const { statements } = bucketByOutput(synth, 'KeyBucketName');
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    // ListBucket too, so a missing key is a 404 rather than a 403 that reads like a denial.
    expect(allows[0]).toMatchObject({ Action: ['s3:GetObject', 's3:ListBucket'], Principal: { Service: 'cloudfront.amazonaws.com' } });
    const distributionId = Object.keys(synth.template.findResources('AWS::CloudFront::Distribution'))[0];
    const sourceArn = JSON.stringify((allows[0].Condition as { StringEquals: Record<string, unknown> }).StringEquals['AWS:SourceArn']);
    expect(sourceArn).toContain(':distribution/');
    expect(sourceArn).toContain(`{"Ref":"${distributionId}"}`);
  });

  it('is reached by the two keys behaviors alone, plain and path-token, and both run the key authorizer on viewer-request', () => {
    const keyBucket = bucketByOutput(synth, 'KeyBucketName').logicalId;
    const toKeys = behaviorRoutes(synth.template).filter((r) => r.originBucket === keyBucket);
    expect(toKeys.map((r) => r.pathPattern)).toEqual(['/keys/*', '/t/*/keys/*']);
    for (const route of toKeys) {
      expect(route.viewerRequestLambdas).toEqual([AUTHORIZER_ASSOCIATION]);
      expect(route.viewerRequestFunctions).toEqual([]);
    }
  });

  it('leaves no behavior without the authorizer a way to the key bucket, whatever the path encoding', () => {
    const keyBucket = bucketByOutput(synth, 'KeyBucketName').logicalId;
    const routes = behaviorRoutes(synth.template);
    expect(routes.map((r) => r.pathPattern)).toContain('*');
    expect(ungatedRoutesTo(routes, keyBucket)).toEqual([]);
    // The media bucket, which the default behavior reads whole, is not where keys are published.
    expect(routes.find((r) => r.pathPattern === '*')?.originBucket).toBe(bucketByOutput(synth, 'MediaBucketName').logicalId);
  });

  it('would catch the old layout, keys beside the media behind the default behavior, and a rewriting function posing as a gate', () => {
    // The layout that leaked `/keys%2F<id>%2F0.key`: one bucket behind both behaviors.
    const stack = new Stack(new App(), 'OldLayout', { env: { region: 'us-east-1' } });
    const bucket = new s3.Bucket(stack, 'MediaAndKeys');
    const fn = new cloudfront.Function(stack, 'Gate', {
      code: cloudfront.FunctionCode.fromInline('function handler(e) { return e.request; }'),
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(bucket);
    new cloudfront.Distribution(stack, 'Cdn', {
      defaultBehavior: { origin },
      additionalBehaviors: {
        '/keys/*': { origin, functionAssociations: [{ function: fn, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] },
      },
    });
    const routes = behaviorRoutes(Template.fromStack(stack));
    expect(ungatedRoutesTo(routes, stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket))).toEqual(['*', '/keys/*']);
  });
});
