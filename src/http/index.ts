export { createServer, type ServerOptions } from './server.js';
export type { ApiContext, ApiUser, SmsWebhook } from './context.js';
export { errorReply, HttpError } from './errors.js';
