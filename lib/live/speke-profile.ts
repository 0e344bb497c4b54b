/**
 * What Keygate's key provider speaks of SPEKE: AES-128 HLS (TS segments, one key per key period for
 * every track), in SPEKE 2.0 (CPIX 2.3, as MediaPackage v2 sends it) and SPEKE 1.0 (CPIX 2.0, as
 * MediaPackage v1 sends it).
 */
export type SpekeVersion = '1.0' | '2.0';

/** The X-Speke-Version header of SPEKE 2.0, and the CPIX@version it goes with. SPEKE 1.0 sends neither. */
export const SPEKE_2_HEADER = '2.0';
export const CPIX_2_VERSION = '2.3';

/** DASH-IF's "Clear Key AES-128": HLS AES-128 in SPEKE 2.0, where it allows only the cbc1 scheme. */
export const CLEAR_KEY_AES_128 = '3ea8778f-7742-4bf9-b18b-e834b2acbd47';
/** HLS AES-128 in SPEKE 1.0 (an id of AWS's own, not DASH-IF's). */
export const SPEKE_1_HLS_AES_128 = '81376844-f976-481e-a84e-cc25d39b0b33';
export const AES_128_SCHEME = 'cbc1';

export const drmSystemOf = (version: SpekeVersion): string => (version === '2.0' ? CLEAR_KEY_AES_128 : SPEKE_1_HLS_AES_128);

/** The key provider's name in X-Speke-User-Agent (SPEKE 2.0) and Speke-User-Agent (SPEKE 1.0). */
export const DEFAULT_USER_AGENT = 'Keygate key provider';

export const KID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A key period index: a decimal integer small enough to stay exact (MediaPackage's are a few thousand to millions). */
export const PERIOD_INDEX_PATTERN = /^[0-9]{1,15}$/;
