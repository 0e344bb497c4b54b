import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_CONTEXT, sharedSynthKeygate, synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
});

type Resource = { Properties: Record<string, unknown> };
function edgeFunction(s: SynthesizedKeygate): Resource {
  const functions = s.edgeTemplate.findResources('AWS::Lambda::Function', {
    Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x' },
  });
  expect(Object.keys(functions)).toHaveLength(1);
  return Object.values(functions)[0] as Resource;
}

/** The asset directory of the edge function inside the synthesized cloud assembly. */
function assetDir(s: SynthesizedKeygate): string {
  const key = (edgeFunction(s).Properties.Code as { S3Key: string }).S3Key;
  const hash = key.replace(/\.zip$/, '');
  const dir = readdirSync(s.outdir).find((name) => name === `asset.${hash}`);
  expect(dir).toBeDefined();
  return join(s.outdir, dir as string);
}

describe('KeyAuthorizerFunction', () => {
  it('is a nodejs22.x x86_64 function of 128 MB and 5 s, in us-east-1, without environment variables', () => {
    const fn = edgeFunction(synth);
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 128, Timeout: 5, Architectures: ['x86_64'] });
    expect(fn.Properties.Environment).toBeUndefined();
    expect(synth.edgeStackArtifact).toMatch(/^edge-lambda-stack/);
  });

  /** The statements of the edge function's own role (the edge stack also holds the log retention provider's). */
  function statements(): Record<string, unknown>[] {
    const role = (edgeFunction(synth).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policies = synth.edgeTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
    expect(Object.keys(policies)).toHaveLength(1);
    return Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement,
    );
  }

  it('may read the entitlement table, in every region that holds a replica, and nothing else', () => {
    const reads = statements().filter((s) => JSON.stringify(s.Action).includes('GetItem'));
    expect(reads).toHaveLength(1);
    expect(reads[0].Action).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    const resources = JSON.stringify(reads[0].Resource);
    for (const region of ['eu-west-1', 'us-east-1', 'ap-northeast-1']) {
      expect(resources).toContain(`:dynamodb:${region}:`);
    }
    expect((reads[0].Resource as unknown[]).length).toBe(3);
    expect(resources).not.toContain('*');
  });

  it('may write only lease attributes (stream limits): never a grant, a limit or a revocation', () => {
    expect(statements()).toHaveLength(2);
    const writes = statements().find((s) => JSON.stringify(s.Action).includes('PutItem')) as Record<string, unknown>;
    // Never DeleteItem: a lease given back lapses (an update), and leases are deleted by the table's TTL.
    expect(writes.Action).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect((writes.Resource as unknown[]).length).toBe(3);
    const allowed = (writes.Condition as Record<string, Record<string, string[]>>)['ForAllValues:StringEquals']['dynamodb:Attributes'];
    expect([...allowed].sort()).toEqual(
      ['uid', 'sk', 'expiresAt', 'ttl', 'videoId', 'region', 'startedAt', 'renewedAt', 'endedAt', 'checkedAt', 'network', 'movedAt'].sort(),
    );
    for (const grantAttribute of ['grantedAt', 'maxStreams', 'revokedBefore', 'orderId']) expect(allowed).not.toContain(grantAttribute);
  });

  it('ships the authorizer bundle with the configured values baked beside it', () => {
    const dir = assetDir(synth);
    expect(readdirSync(dir).sort()).toEqual(['authorizer-config.json', 'index.js']);
    const baked = JSON.parse(readFileSync(join(dir, 'authorizer-config.json'), 'utf8'));
    expect(baked).toMatchObject({
      tableName: EXAMPLE_CONTEXT.tableName,
      replicaRegions: ['eu-west-1', 'us-east-1', 'ap-northeast-1'],
      jwt: { issuers: [{ issuer: EXAMPLE_CONTEXT.jwtIssuer, audience: EXAMPLE_CONTEXT.jwtAudience }] },
      allowedOrigins: EXAMPLE_CONTEXT.allowedOrigins,
      allowUidCookie: false,
    });
    expect(baked.endpoint).toBeUndefined();
    expect(baked.replicaPreference['ap-northeast-2'][0]).toBe('ap-northeast-1');
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toContain('authorizer-config.json');
  });

  it('retains its published versions: one CloudFront still replicates cannot be deleted', () => {
    const versions = Object.values(synth.edgeTemplate.findResources('AWS::Lambda::Version')) as { DeletionPolicy?: string }[];
    expect(versions).toHaveLength(1);
    expect(versions[0].DeletionPolicy).toBe('Retain');
  });

  it('changes its asset hash when one config value changes, and only then', () => {
    const same = synthKeygate();
    const changed = synthKeygate({ denyTtlSeconds: 6 });
    try {
      const key = (s: SynthesizedKeygate) => (edgeFunction(s).Properties.Code as { S3Key: string }).S3Key;
      expect(key(same)).toBe(key(synth));
      expect(key(changed)).not.toBe(key(synth));
    } finally {
      same.cleanup();
      changed.cleanup();
    }
  });
});
