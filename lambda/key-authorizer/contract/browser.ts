/**
 * The part of the contract the player kit needs in viewers' browsers: only dependency-free leaves, so the kit
 * bundle carries two constants and nothing of Node or the AWS SDK.
 */
export { REASON_HEADER } from '../http/responses';
export { SESSION_ID_PATTERN } from '../entitlements/session-id';
