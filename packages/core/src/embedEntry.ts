// `@oflink/core/embed`: the embedded modal, for apps that show it. Importing it is the only way its
// code (the modal, the frame messages, the session renewal) enters a bundle.
import { embedView } from './embed';
import type { LinkEmbed } from './types';

/**
 * The embedded modal: pass it as the `embed` option to allow `mode: 'embed'`.
 *
 * @example
 * import { createLinkController, createSessionCache } from '@oflink/core';
 * import { embed } from '@oflink/core/embed';
 *
 * const options = () => ({ mode: 'embed' as const, embed });
 * const link = createLinkController(options, createSessionCache(options));
 */
export const embed = embedView as unknown as LinkEmbed;
export type { LinkEmbed };
