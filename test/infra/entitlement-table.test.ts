import { sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate({ region: 'eu-west-1', replicaRegions: ['us-east-1', 'ap-northeast-1'] });
});

function table() {
  const tables = synth.template.findResources('AWS::DynamoDB::GlobalTable');
  expect(Object.keys(tables)).toHaveLength(1);
  return Object.values(tables)[0] as {
    Properties: Record<string, unknown> & { Replicas: Record<string, unknown>[] };
    DeletionPolicy: string;
  };
}

describe('EntitlementTable', () => {
  it('has the key schema the authorizer reads, on demand, with a TTL attribute, and is retained', () => {
    expect(table().Properties).toMatchObject({
      TableName: 'keygate-entitlements',
      KeySchema: [
        { AttributeName: 'uid', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(table().DeletionPolicy).toBe('Retain');
  });

  it('has a replica in the stack region and in every configured region', () => {
    expect(
      table()
        .Properties.Replicas.map((r) => r.Region)
        .sort(),
    ).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1']);
  });

  it('turns on point-in-time recovery and deletion protection on every replica', () => {
    // cdk-nag's DDB3 rule does not inspect global tables, so this is asserted here.
    for (const replica of table().Properties.Replicas) {
      expect(replica).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    }
  });
});
