// A Node (Express) service behind Keyhole's origin links: the middleware lets through only requests
// that Keyhole signed for a live link (401 otherwise) and tells the app which link and viewer asked.
//
//   # PUT an origin resource whose origin url is http://127.0.0.1:9300, keep its origin_secret, then:
//   cd examples/express_origin && npm ci && KEYHOLE_ORIGIN_SECRETS=whsec_... PORT=9300 node server.mjs
import express from "express";
import { keyholeOrigin } from "@keyhole/client/server";

export function createApp(secrets) {
  const app = express();
  app.use(keyholeOrigin({ secrets })); // first: it checks the body's hash, then parses JSON itself
  app.get("/", (req, res) => res.type("html").send("<!doctype html><title>Orders</title><h1>Orders today: 17</h1>"));
  app.get("/api/orders", (req, res) =>
    res.json({ orders: 17, link_id: req.keyhole.linkId, share_name: req.keyhole.shareName, viewer_ip: req.keyhole.viewerIp }));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secrets = (process.env.KEYHOLE_ORIGIN_SECRETS ?? "").split(",").filter(Boolean);
  if (secrets.length === 0) throw new Error("set KEYHOLE_ORIGIN_SECRETS to the origin secret (whsec_...)");
  const port = Number(process.env.PORT ?? 9300);
  createApp(secrets).listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
}
