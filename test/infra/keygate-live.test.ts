import { liveRewriteFunctionCode } from '../../lib/infra/keygate-live';
import { behaviorRoutes, bucketByOutput, sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

/** Two channels: a single-pipeline one with the defaults, and a standard (two-pipeline) one with its own ladder. */
const WITH_LIVE = {
  liveChannels: [
    { id: 'concert', inputCidrs: ['203.0.113.0/24'] },
    { id: 'race', inputCidrs: ['198.51.100.7/32'], pipelines: 2, ladder: ['720p', '360p'], keyRotationSeconds: 600, segmentSeconds: 4 },
  ],
};

let live: SynthesizedKeygate;
let off: SynthesizedKeygate;
beforeAll(() => {
  live = sharedSynthKeygate(WITH_LIVE);
  off = sharedSynthKeygate();
});

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };
const resources = (s: SynthesizedKeygate, type: string) => Object.entries(s.template.findResources(type)) as [string, Resource][];
const only = (s: SynthesizedKeygate, type: string) => {
  const found = resources(s, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const providerFunctionId = (s: SynthesizedKeygate) =>
  resources(s, 'AWS::Lambda::Function').find(([id]) => id.startsWith('LiveKeyProviderFunction'))?.[0] as string;
const policyOfRole = (s: SynthesizedKeygate, roleId: string) =>
  resources(s, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);

describe('KeygateLive, off by default', () => {
  it('deploys nothing live without liveChannels', () => {
    for (const type of ['AWS::MediaLive::Channel', 'AWS::MediaPackageV2::ChannelGroup', 'AWS::Lambda::Url']) {
      expect(off.template.findResources(type)).toEqual({});
    }
    expect(Object.keys(off.template.toJSON().Outputs).filter((o) => o.startsWith('Live'))).toEqual([]);
  });

  it('synthesizes offline, cdk-nag and CloudFormation validation clean, with live channels on', () => {
    expect(live.validationReport.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });
});

describe('the MediaPackage origin endpoint of each channel', () => {
  const endpoints = () => resources(live, 'AWS::MediaPackageV2::OriginEndpoint').map(([, e]) => e.Properties);

  it('packages HLS in TS segments encrypted AES_128 with keys from the key provider’s function URL', () => {
    expect(endpoints()).toHaveLength(2);
    for (const endpoint of endpoints()) {
      expect(endpoint).toMatchObject({
        ContainerType: 'TS',
        Segment: {
          Encryption: {
            EncryptionMethod: { TsEncryptionMethod: 'AES_128' },
            SpekeKeyProvider: {
              DrmSystems: ['CLEAR_KEY_AES_128'],
              EncryptionContractConfiguration: { PresetSpeke20Audio: 'SHARED', PresetSpeke20Video: 'SHARED' },
              ResourceId: endpoint.ChannelName,
              Url: { 'Fn::GetAtt': [expect.stringMatching(/^LiveKeyProviderFunctionFunctionUrl/), 'FunctionUrl'] },
              RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^LiveKeyProviderSpekeRole/), 'Arn'] },
            },
          },
        },
      });
    }
  });

  it('rotates keys and cuts segments as each channel configures', () => {
    const race = endpoints().find((e) => e.ChannelName === 'race') as { Segment: Record<string, unknown> };
    expect(race.Segment).toMatchObject({ SegmentDurationSeconds: 4, Encryption: { KeyRotationIntervalSeconds: 600 } });
    const concert = endpoints().find((e) => e.ChannelName === 'concert') as { Segment: Record<string, unknown> };
    expect(concert.Segment).toMatchObject({ SegmentDurationSeconds: 6, Encryption: { KeyRotationIntervalSeconds: 300 } });
  });

  it('admits only this distribution, signing with Origin Access Control', () => {
    for (const [, policy] of resources(live, 'AWS::MediaPackageV2::OriginEndpointPolicy')) {
      const [statement, ...more] = (policy.Properties.Policy as { Statement: Record<string, unknown>[] }).Statement;
      expect(more).toEqual([]);
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 'mediapackagev2:GetObject',
      });
      expect(JSON.stringify(statement.Condition)).toContain(':distribution/');
    }
    const oac = resources(live, 'AWS::CloudFront::OriginAccessControl').find(([id]) => id.startsWith('LiveOriginAccessControl'))?.[1];
    expect(oac?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 'mediapackagev2',
      SigningBehavior: 'always',
    });
  });
});

describe('the key provider and its roles', () => {
  it('answers behind a function URL with AWS_IAM auth, told the key bucket, the channels and the distribution', () => {
    expect(only(live, 'AWS::Lambda::Url')[1].Properties).toMatchObject({ AuthType: 'AWS_IAM' });
    const fn = live.template.toJSON().Resources[providerFunctionId(live)] as Resource;
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      KEYGATE_KEY_BUCKET: { Ref: bucketByOutput(live, 'KeyBucketName').logicalId },
      KEYGATE_LIVE_CHANNELS: 'concert,race',
      KEYGATE_KEY_URI_BASE: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.any(String), 'DomainName'] }]] },
    });
  });

  it('may write and read back only keys/<channel>/* of the configured channels', () => {
    const roleId = ((live.template.toJSON().Resources[providerFunctionId(live)] as Resource).Properties.Role as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0];
    const statements = policyOfRole(live, roleId);
    expect(statements).toHaveLength(1);
    expect([...(statements[0].Action as string[])].sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(statements[0].Resource)).toMatch(/\/keys\/concert\/\*.*\/keys\/race\/\*/);
  });

  it('is refused by the key bucket policy anything outside keys/<channel>/*', () => {
    const deny = bucketByOutput(live, 'KeyBucketName').statements.find((s) => s.Sid === 'LiveKeyProviderOnlyWritesLiveKeys');
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 's3:*' });
    expect(JSON.stringify(deny?.Principal)).toMatch(/LiveKeyProviderFunctionServiceRole/);
    expect(JSON.stringify(deny?.NotResource)).toMatch(/\/keys\/concert\/\*.*\/keys\/race\/\*/);
    // Only CloudFront (through OAC) is allowed in, as without live channels.
    const allows = bucketByOutput(live, 'KeyBucketName').statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual(bucketByOutput(off, 'KeyBucketName').statements.filter((s) => s.Effect === 'Allow'));
  });

  it('gives MediaPackage a role that may invoke that function URL and nothing else', () => {
    const [roleId, role] = resources(live, 'AWS::IAM::Role').find(([id]) => id.startsWith('LiveKeyProviderSpekeRole')) as [
      string,
      Resource,
    ];
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('"Service":"mediapackage.amazonaws.com"');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(policyOfRole(live, roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunctionUrl',
        Resource: { 'Fn::GetAtt': [providerFunctionId(live), 'Arn'] },
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      },
      // Required for function URLs created since October 2025.
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [providerFunctionId(live), 'Arn'] } },
    ]);
  });

  it('gives each MediaLive channel a role that may only push to its own MediaPackage channel', () => {
    const roles = resources(live, 'AWS::IAM::Role').filter(([id]) => /MediaLiveRole/.test(id));
    expect(roles).toHaveLength(2);
    for (const [roleId] of roles) {
      const [statement, ...more] = policyOfRole(live, roleId);
      expect(more).toEqual([]);
      expect(statement.Action).toBe('mediapackagev2:PutObject');
      expect(JSON.stringify(statement.Resource)).toMatch(/:channelGroup\/Keygate-live\/channel\/(concert|race)"/);
    }
  });
});

describe('MediaLive', () => {
  it('takes RTMP pushes only from the configured CIDRs, one input URL per pipeline', () => {
    const groups = resources(live, 'AWS::MediaLive::InputSecurityGroup').map(([, g]) => g.Properties.WhitelistRules);
    expect(groups).toEqual([[{ Cidr: '203.0.113.0/24' }], [{ Cidr: '198.51.100.7/32' }]]);
    const inputs = resources(live, 'AWS::MediaLive::Input').map(([, i]) => i.Properties);
    expect(inputs.map((i) => [i.Type, (i.Destinations as unknown[]).length])).toEqual([
      ['RTMP_PUSH', 1],
      ['RTMP_PUSH', 2],
    ]);
  });

  it('encodes each channel’s ladder into its MediaPackage channel, single- or two-pipeline as configured', () => {
    const channels = resources(live, 'AWS::MediaLive::Channel').map(([, c]) => c.Properties as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(channels.map((c) => c.ChannelClass)).toEqual(['SINGLE_PIPELINE', 'STANDARD']);
    expect(channels[1].EncoderSettings.VideoDescriptions.map((v: { Height: number }) => v.Height)).toEqual([720, 360]);
    expect(channels[0].Destinations).toEqual([
      { Id: 'mediapackage', MediaPackageSettings: [{ ChannelGroup: 'Keygate-live', ChannelName: 'concert' }] },
    ]);
  });
});

describe('CloudFront with live channels', () => {
  it('serves /live/<channel>/* from MediaPackage, rewritten to the endpoint path, with TTLs that follow the origin', () => {
    const routes = behaviorRoutes(live.template);
    const liveRoutes = routes.filter((r) => r.pathPattern.startsWith('/live/'));
    expect(liveRoutes.map((r) => r.pathPattern)).toEqual(['/live/concert/*', '/live/race/*']);
    for (const route of liveRoutes) {
      expect(route.originBucket).toBeUndefined();
      expect(route.viewerRequestLambdas).toEqual([]);
      expect(route.viewerRequestFunctions).toHaveLength(1);
    }
    const policy = resources(live, 'AWS::CloudFront::CachePolicy').find(([id]) => id.startsWith('LiveCachePolicy'))?.[1];
    expect(policy?.Properties.CachePolicyConfig).toMatchObject({ MinTTL: 0 });
  });

  it('keeps the rule: no behavior without the authorizer reaches the key bucket', () => {
    const keyBucket = bucketByOutput(live, 'KeyBucketName').logicalId;
    const toKeys = behaviorRoutes(live.template).filter((r) => r.originBucket === keyBucket);
    expect(toKeys.map((r) => r.pathPattern)).toEqual(['/keys/*', '/t/*/keys/*']);
    for (const route of toKeys) expect(route.viewerRequestLambdas).toHaveLength(1);
  });

  it('rewrites a live path to MediaPackage’s and leaves other paths alone', () => {
    const handler = new Function(`${liveRewriteFunctionCode('Keygate-live')}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    expect(handler({ request: { uri: '/live/concert/index.m3u8' } }).uri).toBe('/out/v1/Keygate-live/concert/ts/index.m3u8');
    expect(handler({ request: { uri: '/live/concert/index_1/segment_5.ts' } }).uri).toBe(
      '/out/v1/Keygate-live/concert/ts/index_1/segment_5.ts',
    );
    expect(handler({ request: { uri: '/keys/concert/1.key' } }).uri).toBe('/keys/concert/1.key');
  });

  it('outputs the key provider URL, and each channel’s ingest and playback URLs', () => {
    const outputs = live.template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(Object.keys(outputs).filter((o) => o.startsWith('Live'))).toEqual([
      'LiveKeyProviderUrl',
      'LiveChannel1IngestUrl',
      'LiveChannel1PlaybackUrl',
      'LiveChannel1MediaLiveChannelId',
      'LiveChannel2IngestUrl',
      'LiveChannel2PlaybackUrl',
      'LiveChannel2MediaLiveChannelId',
    ]);
    expect(JSON.stringify(outputs.LiveChannel2PlaybackUrl.Value)).toContain('/live/race/index.m3u8');
    expect(JSON.stringify(outputs.LiveChannel1IngestUrl.Value)).toContain('Destinations');
  });
});
