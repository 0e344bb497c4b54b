import type { DenialReason } from '../../lambda/key-authorizer/contract';

/** The refusals a player can meet on a key request (a 404 or 405 is a broken page, not a viewer's case). */
export type PlayerRefusal = Exclude<DenialReason, 'not-found' | 'method-not-allowed'>;

/**
 * What the demo page tells a viewer whose key was refused, in their words; the reason code follows
 * in small print. Your site would say the same and offer the way out (sign in, buy, stop a screen).
 */
export const REFUSAL_MESSAGES: Record<PlayerRefusal, string> = {
  'no-credentials': 'Sign in to watch this video',
  'bad-token': 'Sign in again',
  'token-expired': 'Sign in again: your sign-in has expired',
  'session-revoked': 'Sign in again: you were signed out everywhere',
  'jwks-unavailable': 'Your sign-in could not be checked just now: try again in a moment',
  'out-of-scope': 'This sign-in does not cover this video: sign in again',
  'not-entitled': "You don't own this video",
  'entitlement-expired': 'Your rental of this video has ended',
  'origin-not-allowed': 'This page may not play this video',
  'stream-limit': 'Too many screens at once: stop playing on another screen, then try again',
  'session-ended': 'This playback was ended from your account',
  'session-required': 'Your plan limits screens: this player must send a playback session with its token',
  'store-unavailable': 'The video cannot be unlocked just now: try again in a moment',
  'request-deadline': 'The video cannot be unlocked just now: try again in a moment',
};

/** A cookie is shared by every tab, so it cannot name one playback: a plan with stream limits needs bearer tokens. */
export const COOKIE_SESSION_REQUIRED =
  'Your plan limits screens, and a sign-in cookie cannot tell your screens apart: choose "bearer token" and play again';

/** When the reason header is missing (another origin that does not expose it): by status alone. */
export const REFUSAL_BY_STATUS: Record<number, string> = {
  401: 'Sign in again',
  403: "You can't watch this video",
  503: REFUSAL_MESSAGES['store-unavailable'],
};
