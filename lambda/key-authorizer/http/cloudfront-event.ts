/** The parts of the Lambda@Edge viewer-request event and result shapes that the authorizer uses. */
export type CloudFrontHeaders = Record<string, { key?: string; value: string }[]>;

export interface CloudFrontRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CloudFrontHeaders;
}

export interface CloudFrontResultResponse {
  status: string;
  statusDescription?: string;
  headers: CloudFrontHeaders;
  body?: string;
}

export interface CloudFrontRequestEvent {
  Records: { cf: { config: Record<string, string>; request: CloudFrontRequest } }[];
}
