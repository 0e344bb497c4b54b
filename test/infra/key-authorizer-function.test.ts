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

  /** A statement's resources as ARN patterns: Fn::Join resolved, pseudo parameters as `*` (they match any account). */
  function resourcePatterns(statement: Record<string, unknown>): string[] {
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(resolve).join(join[0]);
      if ((value as { Ref?: string }).Ref?.startsWith('AWS::')) return '*';
      throw new Error(`unresolvable resource ${JSON.stringify(value)}`);
    };
    return [statement.Resource].flat().map(resolve);
  }
  const matches = (pattern: string, arn: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
        .join('.*')}$`,
    ).test(arn);
  const REGIONS = ['eu-west-1', 'us-east-1', 'ap-northeast-1'];
  const tableArn = (region: string, table: string) => `arn:aws:dynamodb:${region}:123456789012:table/${table}`;
  /** Every action the role allows on `table` in `region` (or on anything under it: indexes, streams). */
  function actionsOn(table: string, region: string): string[] {
    return statements()
      .filter((s) => s.Effect === 'Allow')
      .filter((s) =>
        resourcePatterns(s).some((p) => matches(p, tableArn(region, table)) || matches(p, `${tableArn(region, table)}/index/x`)),
      )
      .flatMap((s) => [s.Action].flat() as string[]);
  }

  it('may only read the entitlement table, in every region that holds a replica: it cannot grant, raise a limit or unrevoke', () => {
    const table = EXAMPLE_CONTEXT.tableName as string;
    for (const region of REGIONS) expect(actionsOn(table, region)).toEqual(['dynamodb:BatchGetItem']);
    // No statement reaches a table through a wildcard, and no other dynamodb action names it under any spelling.
    for (const statement of statements()) expect(JSON.stringify(statement.Resource)).not.toContain('*');
    const naming = statements().filter((s) => resourcePatterns(s).some((p) => p.endsWith(`:table/${table}`)));
    expect(naming.flatMap((s) => [s.Action].flat())).toEqual(['dynamodb:BatchGetItem']);
  });

  it('reads and writes leases only in the lease table, in every replica region, with no attribute condition needed', () => {
    const leaseTable = `${EXAMPLE_CONTEXT.tableName as string}-leases`;
    for (const region of REGIONS) {
      // Never DeleteItem: a lease given back lapses (an update), and leases are deleted by the table's TTL.
      expect(actionsOn(leaseTable, region).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    }
    expect(statements()).toHaveLength(2);
    for (const statement of statements()) expect(statement.Condition).toBeUndefined();
  });

  it('ships the authorizer bundle with the configured values baked beside it', () => {
    const dir = assetDir(synth);
    expect(readdirSync(dir).sort()).toEqual(['authorizer-config.json', 'index.js']);
    const baked = JSON.parse(readFileSync(join(dir, 'authorizer-config.json'), 'utf8'));
    expect(baked).toMatchObject({
      tableName: EXAMPLE_CONTEXT.tableName,
      leaseTableName: `${EXAMPLE_CONTEXT.tableName as string}-leases`,
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
