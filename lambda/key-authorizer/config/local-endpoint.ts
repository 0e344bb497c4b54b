/**
 * Fixed credentials for a local DynamoDB endpoint (dynalite, DynamoDB Local): it never checks
 * them, and with explicit ones the SDK never looks for real credentials or probes the metadata
 * address. Shared by the authorizer (dev and test bundles) and the admin client.
 */
export const LOCAL_ENDPOINT_CREDENTIALS = { accessKeyId: 'keygate-local', secretAccessKey: 'keygate-local' };
