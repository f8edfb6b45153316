/** Keyhole's TypeScript client (Node 18+ and browsers). Receivers for servers: `@keyhole/client/server`. */
export * from "./client.js";
export * from "./errors.js";
export type { components, operations, paths } from "./api.js";
export const VERSION = "1.0.0";
