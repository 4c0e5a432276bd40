/** The app user every story session belongs to (the `clientReferenceId` the mocked server sends). */
export const STORY_USER = 'storybook_user';

/** A connection the simulator is seeded with, owned by {@link STORY_USER}: the reconnect story re-authenticates it. */
export const RECONNECT_CONNECTION_ID = 'conn_storybook_reconnect';
