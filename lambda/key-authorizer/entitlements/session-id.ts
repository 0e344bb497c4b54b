/**
 * A playback session id: long enough to be unguessable when minted at random, short enough for a key. A leaf
 * of its own so the player kit can check the ids it is given without bundling the item schema.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
