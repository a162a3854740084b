// The mail service behind the example worker's SSO_RESET_WEBHOOK, as Miniflare's outbound
// service: the worker's outbound requests land here, and a test reads the reset token mailed to
// a user. Anything but an authorised POST to the webhook's URL is refused.
const WEBHOOK = 'https://mail.test/reset';
const WEBHOOK_TOKEN = 'mail-secret';

export function mailbox() {
  const tokens = new Map();
  /** The worker's bindings that point its reset webhook here. */
  const bindings = { SSO_RESET_WEBHOOK: WEBHOOK, SSO_RESET_WEBHOOK_TOKEN: WEBHOOK_TOKEN };
  const outboundService = async (request) => {
    if (request.url !== WEBHOOK || request.headers.get('authorization') !== `Bearer ${WEBHOOK_TOKEN}`) {
      return new Response('no', { status: 403 });
    }
    const message = await request.json();
    tokens.set(message.username, message.token);
    return new Response('queued', { status: 202 });
  };
  /** The token sent for `username`: the reset runs after the response, so wait a little. */
  const read = async (username) => {
    for (let i = 0; i < 250 && !tokens.has(username); i++) await new Promise((r) => setTimeout(r, 20));
    return tokens.get(username);
  };
  return { bindings, outboundService, read };
}
