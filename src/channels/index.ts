/**
 * Channels: the edge where messages leave the system (and phone metadata and letters are read
 * and drawn). ARCHITECTURE.md puts channels under src/contact/channels; this repository keeps I/O
 * edges in src/channels so the contact module stays pure data and functions. See ./channel.ts
 * for the contract and docs/channels.md for the adapters.
 */
export * from './channel.js';
export * from './smtp.js';
export * from './sms-http.js';
export * from './recording.js';
export * from './phone-zones.js';
