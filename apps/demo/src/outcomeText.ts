import type { LinkCancelled, LinkFailure } from '@oflink/react';

const STEP_NAMES: Record<string, string> = {
  'pre-login': 'before signing in',
  authorization: 'on the permissions screen',
  login: 'on the sign-in screen',
  '2fa': 'at the verification code step',
  success: 'after connecting',
  error: 'after an error',
};

/** A plain-words title and explanation for a cancelled attempt. */
export function describeCancel(outcome: Pick<LinkCancelled, 'step' | 'reason'>): {
  title: string;
  text: string;
} {
  if (outcome.reason === 'closed') {
    return {
      title: 'The window was closed',
      text: 'The OnlyFans sign-in window was closed before the connection was finished. Nothing was connected; you can start again whenever you like.',
    };
  }
  if (outcome.reason === 'forced') {
    return {
      title: 'The sign-in was ended',
      text: 'The OnlyFans sign-in was closed before the connection was finished. Nothing was connected; you can start again whenever you like.',
    };
  }
  const where = outcome.step ? STEP_NAMES[outcome.step] : undefined;
  return {
    title: 'You cancelled',
    text: `You left the OnlyFans sign-in${where ? ` ${where}` : ''}. Nothing was connected and no data was shared.`,
  };
}

const ERROR_TEXT: Record<string, { title: string; text: string }> = {
  popup_blocked: {
    title: 'Your browser blocked the sign-in window',
    text: 'Allow pop-ups for this site, or use the embedded or full-page option instead.',
  },
  session_expired: {
    title: 'The sign-in link expired',
    text: 'Sign-in links are only valid for a limited time. Start again to get a fresh one.',
  },
  invalid_connection_id: {
    title: 'The connection could not be read',
    text: 'OnlyFans finished, but the sign-in page did not say which account was connected. Refresh your connections in a moment, or start again.',
  },
  invalid_session: {
    title: 'The sign-in link is no longer valid',
    text: 'Each sign-in link can be used once. Start again to get a fresh one.',
  },
  invalid_callback: {
    title: 'We could not read the result',
    text: 'The address this page was opened with is not a valid sign-in result. If you were connecting an account, start again from the Connect page.',
  },
  account_locked: {
    title: 'This OnlyFans account is locked',
    text: 'OnlyFans reported the account as locked, so it cannot be connected. Unlock it on OnlyFans and try again.',
  },
  '2fa_failed': {
    title: 'The verification code was rejected',
    text: 'OnlyFans did not accept the two-factor code. Start again and use a fresh code.',
  },
  unauthenticated: {
    title: 'You are not signed in',
    text: 'Reload the page to start a new demo session, then try again.',
  },
  connection_not_owned: {
    title: 'That connection is not yours',
    text: 'You can only reconnect an account that you connected yourself.',
  },
  forbidden_origin: {
    title: 'Request refused',
    text: 'The server only accepts requests from this site. Open the demo from the address it printed.',
  },
  rate_limited: {
    title: 'Too many attempts',
    text: 'OFAuth is asking us to slow down. Wait a moment and try again.',
  },
  limit_reached: {
    title: 'Connection limit reached',
    text: 'This OFAuth account has reached its limit of open sign-in sessions. Try again later.',
  },
  upstream_unavailable: {
    title: 'OFAuth is unreachable',
    text: 'We could not reach OFAuth to start the sign-in. Try again in a moment.',
  },
  upstream_timeout: {
    title: 'OFAuth took too long',
    text: 'Starting the sign-in timed out. Try again in a moment.',
  },
  server_misconfigured: {
    title: 'The server is not set up correctly',
    text: 'The server could not authenticate with OFAuth. Check its API key.',
  },
  network_error: {
    title: 'No connection to the server',
    text: 'Check your network connection and try again.',
  },
};

/** A plain-words title and explanation for a failed attempt; unknown codes fall back to the message. */
export function describeError(outcome: Pick<LinkFailure, 'code' | 'message'>): {
  title: string;
  text: string;
} {
  return (
    ERROR_TEXT[outcome.code] ?? {
      title: 'Something went wrong',
      text: `${outcome.message} Try again; if it keeps happening, the code below helps support find out why.`,
    }
  );
}

/** Plain words for a failed server confirmation. */
export function describeConfirmError(code: string): { title: string; text: string } {
  switch (code) {
    case 'connection_not_found':
      return {
        title: 'The server could not find this connection',
        text: 'The browser reported a connection, but OFAuth does not know it. Nothing was saved.',
      };
    case 'connection_not_owned':
      return {
        title: 'This connection belongs to someone else',
        text: 'The browser reported a connection that was not made from your session, so it was not saved.',
      };
    case 'lookup_limit_reached':
      return {
        title: 'The connection could not be looked up',
        text: 'The account has too many connections to confirm this one from the browser; it will appear once OFAuth’s webhook arrives.',
      };
    default:
      return (
        ERROR_TEXT[code] ?? {
          title: 'The server could not confirm the connection',
          text: 'The browser reported a connection, but the server could not check it. Try again.',
        }
      );
  }
}
