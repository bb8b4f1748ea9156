// Interoperability test: an OpenID Certified relying party (openid-client) and a real
// headless Chromium (playwright-core driving Debian's chromium) against the example
// authorization server (`cargo run -p authlete --features axum --example server`), offline
// with its in-process stand-in for Authlete. `.ci/interop.sh` starts the server and runs
// this with `BASE_URL` set to it.
//
// One line per step: `ok - <step>` or `not ok - <step>: <why>`; exit status 1 if any
// step failed. Nothing here comes from the project: the client library, the browser and
// plain `fetch` only see the server's HTTP.

import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';

const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-client-secret';
const REDIRECT_URI = `${BASE}/cb`;
const USER = { login: 'john', password: 'john', sub: '1001' };

let failures = 0;
let steps = 0;

/** Runs one step; a thrown error is its failure. */
async function step(name, fn) {
  steps += 1;
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (error) {
    failures += 1;
    const why = String(error?.message ?? error).replace(/\s+/g, ' ');
    const detail = error?.error ? ` (${error.error}${error.error_description ? `: ${error.error_description}` : ''})` : '';
    console.log(`not ok - ${name}: ${why}${detail}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------
// The browser

// Playwright starts Chromium with a new, empty profile directory (its --user-data-dir)
// of its own each time, and removes it when the browser closes.
let browser;
await step('headless Chromium starts (playwright-core, Debian chromium)', async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const version = browser.version();
  check(version, 'no browser version');
});
if (!browser) {
  console.log('Bail out! no browser');
  process.exit(1);
}

/**
 * Opens `url` in a fresh browser context, logs in as the user and authorizes on the
 * server's own page; resolves to the URL the server redirected the browser to (the
 * client's redirect URI with the code), which the browser does not load: the client
 * (this script) takes it from there.
 */
async function browserAuthorize(url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let callback;
    let arrived;
    const redirected = new Promise((resolve) => {
      arrived = resolve;
    });
    // The server answers the consent form with a redirect to the client's redirect URI.
    // Playwright does not route a redirect's target, so the server's answers are routed
    // (passed on unchanged) and the redirect to the client is kept for the client instead
    // of being followed (the server's own demo page lives at that URI).
    await page.route(
      (target) => target.origin === BASE && target.pathname.startsWith('/authorize'),
      async (route) => {
        const answer = await route.fetch({ maxRedirects: 0 });
        const location = answer.headers().location ?? '';
        if (answer.status() >= 300 && answer.status() < 400 && location.startsWith(`${REDIRECT_URI}?`)) {
          callback = new URL(location);
          arrived();
          return route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback received' });
        }
        return route.fulfill({ response: answer });
      },
    );
    const response = await page.goto(url.href);
    check(response.status() === 200, `the authorization page answered ${response.status()}`);
    await page.fill('input[name=login_id]', USER.login);
    await page.fill('input[name=password]', USER.password);
    await page.click('button[name=decision][value=approve]');
    let timer;
    await Promise.race([
      redirected,
      new Promise((_, reject) => {
        timer = setTimeout(async () => {
          const text = (await page.textContent('body').catch(() => '')) ?? '';
          reject(new Error(`no redirect to the client within 10 s; the page at ${page.url()} says: ${text.slice(0, 300)}`));
        }, 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    return callback;
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------
// The relying party

let config;
await step('discovery (openid-client reads /.well-known/openid-configuration)', async () => {
  config = await client.discovery(
    new URL(BASE),
    CLIENT_ID,
    { client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] },
    client.ClientSecretBasic(CLIENT_SECRET),
    { execute: [client.allowInsecureRequests] },
  );
  const metadata = config.serverMetadata();
  check(metadata.issuer === BASE, `issuer ${metadata.issuer}`);
  check(metadata.code_challenge_methods_supported?.includes('S256'), 'S256 not advertised');
  // ID tokens: their signatures too, against the JWK Set (not only the claims).
  client.enableNonRepudiationChecks(config);
});
if (!config) {
  console.log('Bail out! no discovery, no client');
  await browser.close();
  process.exit(1);
}

/** The authorization code flow with PKCE through the browser; the token response. */
async function codeFlow({ par = false, dpop } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  const url = par
    ? await client.buildAuthorizationUrlWithPAR(config, parameters, dpop ? { DPoP: dpop } : undefined)
    : client.buildAuthorizationUrl(config, parameters);
  if (par) {
    check(url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'), `no request_uri in ${url}`);
    check(!url.searchParams.has('code_challenge'), 'the PAR URL carries the parameters');
  }
  const callback = await browserAuthorize(url);
  check(callback.searchParams.get('iss') === BASE, `callback iss ${callback.searchParams.get('iss')}`);
  return client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    dpop ? { DPoP: dpop } : undefined,
  );
}

async function api(token, scheme = 'Bearer', headers = {}) {
  return fetch(`${BASE}/api/me`, { headers: { authorization: `${scheme} ${token}`, ...headers } });
}

let tokens;
await step('authorization code + PKCE: the browser logs in and consents on the server\'s pages', async () => {
  tokens = await codeFlow();
  check(tokens.access_token && tokens.refresh_token, 'no access or refresh token');
  check(tokens.token_type.toLowerCase() === 'bearer', `token_type ${tokens.token_type}`);
});

await step('ID token validated by openid-client (signature via /jwks, iss, aud, nonce, exp)', async () => {
  check(tokens, 'no tokens');
  const claims = tokens.claims();
  check(claims?.sub === USER.sub, `sub ${claims?.sub}`);
  check(claims.aud === CLIENT_ID || claims.aud?.includes?.(CLIENT_ID), `aud ${claims.aud}`);
  check(typeof claims.auth_time === 'number', 'no auth_time');
});

await step('userinfo (openid-client, subject checked against the ID token)', async () => {
  check(tokens, 'no tokens');
  const info = await client.fetchUserInfo(config, tokens.access_token, USER.sub);
  check(info.sub === USER.sub, `sub ${info.sub}`);
  check(info.email && info.name, `claims ${JSON.stringify(info)}`);
});

await step('protected resource /api/me with the Bearer token', async () => {
  check(tokens, 'no tokens');
  const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${BASE}/api/me`), 'GET');
  check(response.status === 200, `status ${response.status}`);
  const body = await response.json();
  check(body.sub === USER.sub && body.client_id === CLIENT_ID, JSON.stringify(body));
});

let refreshed;
await step('refresh (new tokens, the old refresh token is spent)', async () => {
  check(tokens, 'no tokens');
  refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  check(refreshed.access_token && refreshed.access_token !== tokens.access_token, 'no new access token');
  let refused;
  try {
    await client.refreshTokenGrant(config, tokens.refresh_token);
  } catch (error) {
    refused = error;
  }
  check(refused?.error === 'invalid_grant', `reusing the refresh token: ${refused?.error ?? 'accepted'}`);
});

await step('revocation (the revoked access token is refused at /api/me with 401)', async () => {
  check(refreshed, 'no refreshed tokens');
  check((await api(refreshed.access_token)).status === 200, 'the token did not work before revocation');
  await client.tokenRevocation(config, refreshed.access_token);
  const response = await api(refreshed.access_token);
  check(response.status === 401, `after revocation: ${response.status}`);
  check(/^Bearer /.test(response.headers.get('www-authenticate') ?? ''), `WWW-Authenticate ${response.headers.get('www-authenticate')}`);
  await client.tokenRevocation(config, refreshed.refresh_token);
  let refused;
  try {
    await client.refreshTokenGrant(config, refreshed.refresh_token);
  } catch (error) {
    refused = error;
  }
  check(refused?.error === 'invalid_grant', `revoked refresh token: ${refused?.error ?? 'accepted'}`);
});

await step('PAR: pushed request, then the browser at /authorize with only request_uri', async () => {
  const par = await codeFlow({ par: true });
  check(par.access_token && par.claims()?.sub === USER.sub, 'no tokens for the pushed request');
});

await step('device flow: the browser enters the user code at the verification page', async () => {
  const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile' });
  check(device.user_code && device.verification_uri === `${BASE}/device`, JSON.stringify(device));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(device.verification_uri);
    await page.fill('input[name=user_code]', device.user_code);
    await page.click('button[type=submit]');
    await page.fill('input[name=login_id]', USER.login);
    await page.fill('input[name=password]', USER.password);
    await page.click('button[name=decision][value=approve]');
    await page.waitForSelector('text=Device connected', { timeout: 10_000 });
  } finally {
    await context.close();
  }
  const result = await client.pollDeviceAuthorizationGrant(config, device);
  check(result.access_token && result.claims()?.sub === USER.sub, 'no tokens for the device');
});

await step('CIBA (poll): the user approves on /ciba/approve in the browser', async () => {
  const request = await client.initiateBackchannelAuthentication(config, {
    scope: 'openid profile',
    login_hint: USER.login,
    binding_message: 'interop-42',
  });
  check(request.auth_req_id, JSON.stringify(request));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${BASE}/ciba/approve`);
    const box = page.locator('div.box', { hasText: 'interop-42' });
    await box.locator('input[name=password]').fill(USER.password);
    await box.locator('button[value=approve]').click();
    await page.waitForSelector('text=Approved', { timeout: 10_000 });
  } finally {
    await context.close();
  }
  const result = await client.pollBackchannelAuthenticationGrant(config, request);
  check(result.access_token && result.claims()?.sub === USER.sub, 'no tokens for CIBA');
});

// ---------------------------------------------------------------------------------------
// DPoP (RFC 9449)

const dpopKeys = await client.randomDPoPKeyPair('ES256');
const dpop = client.getDPoPHandle(config, dpopKeys);
let bound;
await step('DPoP: code flow with DPoP proofs, token_type DPoP', async () => {
  bound = await codeFlow({ dpop });
  check(bound.token_type.toLowerCase() === 'dpop', `token_type ${bound.token_type}`);
});

await step('DPoP: /api/me and userinfo accept the token with a proof of the same key', async () => {
  check(bound, 'no DPoP-bound token');
  const response = await client.fetchProtectedResource(config, bound.access_token, new URL(`${BASE}/api/me`), 'GET', undefined, undefined, { DPoP: dpop });
  check(response.status === 200, `/api/me: ${response.status} ${response.headers.get('www-authenticate')}`);
  const info = await client.fetchUserInfo(config, bound.access_token, USER.sub, { DPoP: dpop });
  check(info.sub === USER.sub, `userinfo sub ${info.sub}`);
});

/** A DPoP proof signed with `keys`, written here with WebCrypto (not openid-client). */
async function proof(keys, htm, htu, accessToken) {
  const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const b64 = (value) => Buffer.from(value).toString('base64url');
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
  const payload = {
    jti: crypto.randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(accessToken).digest('base64url'),
  };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, Buffer.from(input));
  return `${input}.${b64(new Uint8Array(signature))}`;
}

/** `/api/me` with the DPoP-bound token, `scheme` and `proofHeader` (none if undefined). */
async function boundCall(scheme, proofHeader) {
  return api(bound.access_token, scheme, proofHeader === undefined ? {} : { dpop: proofHeader });
}

async function expectRefused(response, error) {
  const challenge = response.headers.get('www-authenticate') ?? '';
  check(response.status === 401, `status ${response.status}`);
  check(challenge.startsWith('DPoP ') && challenge.includes(`error="${error}"`), `WWW-Authenticate ${challenge}`);
}

await step('DPoP: a proof made here with WebCrypto (not openid-client) is accepted', async () => {
  check(bound, 'no DPoP-bound token');
  const response = await boundCall('DPoP', await proof(dpopKeys, 'GET', `${BASE}/api/me`, bound.access_token));
  check(response.status === 200, `status ${response.status} ${response.headers.get('www-authenticate')}`);
});

await step('DPoP: the bound token without a proof -> 401 DPoP invalid_token', async () => {
  check(bound, 'no DPoP-bound token');
  await expectRefused(await boundCall('DPoP'), 'invalid_token');
});

await step('DPoP: the bound token sent as a Bearer token -> 401', async () => {
  check(bound, 'no DPoP-bound token');
  await expectRefused(await boundCall('Bearer'), 'invalid_token');
});

await step('DPoP: a proof signed with another key -> 401 invalid_dpop_proof', async () => {
  check(bound, 'no DPoP-bound token');
  const other = await client.randomDPoPKeyPair('ES256');
  await expectRefused(await boundCall('DPoP', await proof(other, 'GET', `${BASE}/api/me`, bound.access_token)), 'invalid_dpop_proof');
});

await step('DPoP: a proof for another URL (htu) -> 401 invalid_dpop_proof', async () => {
  check(bound, 'no DPoP-bound token');
  await expectRefused(await boundCall('DPoP', await proof(dpopKeys, 'GET', `${BASE}/userinfo`, bound.access_token)), 'invalid_dpop_proof');
});

await step('DPoP: a proof used twice -> the second use is refused (401 invalid_dpop_proof)', async () => {
  check(bound, 'no DPoP-bound token');
  const once = await proof(dpopKeys, 'GET', `${BASE}/api/me`, bound.access_token);
  const first = await boundCall('DPoP', once);
  check(first.status === 200, `first use: ${first.status}`);
  await expectRefused(await boundCall('DPoP', once), 'invalid_dpop_proof');
});

await browser.close();

// ---------------------------------------------------------------------------------------
// Hostile requests, with plain fetch

const form = (pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const FORM = 'application/x-www-form-urlencoded';

/** Checks an RFC 6749 error response: status, JSON `error`, no-store. */
async function expectOAuthError(response, status, error) {
  const text = await response.text();
  check(response.status === status, `status ${response.status} (want ${status}): ${text.slice(0, 200)}`);
  if (error === undefined) return;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not JSON: ${text.slice(0, 200)}`);
  }
  check(body.error === error, `error ${body.error} (want ${error})`);
  check((response.headers.get('content-type') ?? '').startsWith('application/json'), `content-type ${response.headers.get('content-type')}`);
  check(/no-store/.test(response.headers.get('cache-control') ?? ''), `cache-control ${response.headers.get('cache-control')}`);
}

await step('hostile: redirect_uri twice at /authorize -> 400, no redirect', async () => {
  const query = form([
    ['client_id', CLIENT_ID],
    ['response_type', 'code'],
    ['redirect_uri', REDIRECT_URI],
    ['redirect_uri', 'https://evil.example/cb'],
    ['scope', 'openid'],
    ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
    ['code_challenge_method', 'S256'],
  ]);
  const response = await fetch(`${BASE}/authorize?${query}`, { redirect: 'manual' });
  check(!response.headers.has('location'), `Location: ${response.headers.get('location')}`);
  await expectOAuthError(response, 400);
});

await step('hostile: grant_type twice at /token -> 400 invalid_request', async () => {
  const response = await fetch(`${BASE}/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: form([['grant_type', 'authorization_code'], ['grant_type', 'refresh_token'], ['code', 'x'], ['redirect_uri', REDIRECT_URI]]),
  });
  await expectOAuthError(response, 400, 'invalid_request');
});

await step('hostile: scope twice at /par -> 400 invalid_request', async () => {
  const response = await fetch(`${BASE}/par`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: form([['response_type', 'code'], ['redirect_uri', REDIRECT_URI], ['scope', 'openid'], ['scope', 'openid email'],
      ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'], ['code_challenge_method', 'S256']]),
  });
  await expectOAuthError(response, 400, 'invalid_request');
});

await step('hostile: Basic client id differs from the form\'s client_id at /token -> 400 invalid_request', async () => {
  const response = await fetch(`${BASE}/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: form([['grant_type', 'refresh_token'], ['refresh_token', 'x'], ['client_id', 'another-client']]),
  });
  await expectOAuthError(response, 400, 'invalid_request');
});

await step('hostile: wrong client secret at /token -> 401 invalid_client with WWW-Authenticate Basic', async () => {
  const response = await fetch(`${BASE}/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, 'wrong-secret') },
    body: form([['grant_type', 'refresh_token'], ['refresh_token', 'x']]),
  });
  const challenge = response.headers.get('www-authenticate') ?? '';
  await expectOAuthError(response, 401, 'invalid_client');
  check(/^Basic /i.test(challenge), `WWW-Authenticate ${challenge}`);
});

await step('hostile: oversize body at /token -> 413', async () => {
  const response = await fetch(`${BASE}/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: form([['grant_type', 'refresh_token'], ['refresh_token', 'x'.repeat(2 * 1024 * 1024)]]),
  });
  await expectOAuthError(response, 413);
});

await step('hostile: wrong content type at /token -> 415', async () => {
  const response = await fetch(`${BASE}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
  });
  await expectOAuthError(response, 415);
});

console.log(`# ${steps - failures}/${steps} steps passed`);
process.exit(failures === 0 ? 0 : 1);
