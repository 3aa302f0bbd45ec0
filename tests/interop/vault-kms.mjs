// vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME
// vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME unwrap WRAPPED_B64 DEK_HEX
// vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME serde REGISTRY_URL OUT_FIXTURE
//
// Confluent's official hcvault KMS client (@confluentinc/schemaregistry's HcVaultDriver, which
// drives node-vault) against the sandbox's Vault transit double at VAULT_ADDRESS
// (http://127.0.0.1:P/vault, from the sandbox's "kms" settings, keywarden.vault.address).
//
// The official client takes the Vault address from the key id and keeps only its origin
// (url.protocol + '//' + url.host), so it always calls <origin>/v1/transit/...; the double
// answers under the path prefix /vault. A small proxy here maps <proxy>/v1/... to
// VAULT_ADDRESS/v1/... byte for byte (headers and bodies untouched), and the key id given to
// the official client is http://127.0.0.1:<proxy>/transit/keys/KEY_NAME. The proxy records
// every call: each must carry X-Vault-Token TOKEN and get a 200 from the double.
//
// Default mode: the client wraps a DEK (the stored bytes are the UTF-8 text vault:vN:...),
// unwraps it again, and the double itself (called directly, as Keywarden's driver does) unwraps
// the official client's ciphertext, while the official client unwraps one the double made for a
// direct call. Prints one JSON line: {"jsWrapped": b64, "directWrapped": b64, "dekHex": hex}.
// unwrap: the official client unwraps WRAPPED_B64 (stored bytes, e.g. Keywarden's) and must
// give DEK_HEX.
// serde: Confluent's serializer with the registered HcVaultDriver writes records under an
// hcvault KEK whose kmsKeyId is the proxy's key id (kms-serde.mjs: the executor auto-creates the
// KEK and a DEK it wraps through the proxy), a fresh client reads them back, and OUT_FIXTURE is
// for `keywarden-interop decrypt`, with kmsSettings hcvault = keywarden.vault.address and
// token.id: Keywarden's driver replaces the key id's origin (the proxy, gone by then) with the
// double's address.
import http from 'node:http';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HcVaultDriver } from '@confluentinc/schemaregistry/dist/rules/encryption/hcvault/hcvault-driver.js';
import { serializerRoundTrip } from './kms-serde.mjs';

const [vaultAddress, token, keyName, mode, arg1, arg2] = process.argv.slice(2);
if (!vaultAddress || !token || !keyName || (mode && (!['unwrap', 'serde'].includes(mode) || !arg2))) {
    console.error('usage: node vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME\n'
        + '       node vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME unwrap WRAPPED_B64 DEK_HEX\n'
        + '       node vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME serde REGISTRY_URL OUT_FIXTURE');
    process.exit(2);
}
const target = new URL(vaultAddress);
// Nothing from this machine's Vault set-up may take part: the token comes from the config only.
for (const v of ['VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_APPROLE_ROLE_ID', 'VAULT_APPROLE_SECRET_ID'])
    delete process.env[v];

const seen = []; // { method, path, token, status }
const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const body = Buffer.concat(chunks);
        const call = { method: req.method, path: req.url, token: req.headers['x-vault-token'], status: 0 };
        seen.push(call);
        const headers = { ...req.headers, host: target.host };
        const out = http.request({
            host: target.hostname, port: target.port, method: req.method,
            path: target.pathname.replace(/\/$/, '') + req.url, headers,
        }, (up) => {
            call.status = up.statusCode;
            res.writeHead(up.statusCode, up.headers);
            up.pipe(res);
        });
        out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
        out.end(body);
    });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyOrigin = `http://127.0.0.1:${proxy.address().port}`;

// The official client's calls since the last check: exactly `ops` (encrypt/decrypt) on KEY_NAME,
// each with the token, each answered 200 by the double.
function checkSeen(ops) {
    assert.deepEqual(seen.map((c) => `${c.method} ${c.path}`),
        ops.map((op) => `POST /v1/transit/${op}/${keyName}`), 'the calls the official client made');
    for (const c of seen) {
        assert.equal(c.token, token, `X-Vault-Token of ${c.path}`);
        assert.equal(c.status, 200, `the double answered ${c.path} with ${c.status}`);
    }
    console.log(`ok the double answered ${seen.length} calls of the official client (${ops.join(', ')})`);
    seen.length = 0;
}

async function direct(op, body) {
    const r = await fetch(`${vaultAddress.replace(/\/$/, '')}/v1/transit/${op}/${keyName}`, {
        method: 'POST', headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    const json = await r.json();
    assert.equal(r.status, 200, JSON.stringify(json));
    return json.data;
}

const keyId = `${proxyOrigin}/transit/keys/${keyName}`;

async function wrap() {
    const client = new HcVaultDriver().newKmsClient(new Map([['token.id', token]]), `hcvault://${keyId}`);
    const dek = randomBytes(34);
    const jsWrapped = await client.encrypt(dek);
    assert.match(jsWrapped.toString('utf8'), /^vault:v\d+:[A-Za-z0-9+/=]+$/);
    assert.deepEqual(await client.decrypt(jsWrapped), dek);
    // The double, called the way Keywarden's driver calls it, opens the official client's bytes.
    const opened = await direct('decrypt', { ciphertext: jsWrapped.toString('utf8') });
    assert.deepEqual(Buffer.from(opened.plaintext, 'base64'), dek);
    // And the official client opens a ciphertext made by a direct call.
    const made = await direct('encrypt', { plaintext: dek.toString('base64') });
    assert.deepEqual(await client.decrypt(Buffer.from(made.ciphertext, 'utf8')), dek);
    checkSeen(['encrypt', 'decrypt', 'decrypt']);
    console.log(JSON.stringify({
        jsWrapped: jsWrapped.toString('base64'),
        directWrapped: Buffer.from(made.ciphertext, 'utf8').toString('base64'),
        dekHex: dek.toString('hex'),
    }));
}

async function unwrap() {
    const client = new HcVaultDriver().newKmsClient(new Map([['token.id', token]]), `hcvault://${keyId}`);
    const plain = await client.decrypt(Buffer.from(arg1, 'base64'));
    assert.equal(plain.toString('hex'), arg2);
    checkSeen(['decrypt']);
    console.log('the official client unwrapped the DEK Keywarden wrapped');
}

async function serde() {
    HcVaultDriver.register();
    await serializerRoundTrip({
        registryUrl: arg1, kmsType: 'hcvault', keyId, outPath: arg2,
        ruleConfig: { 'token.id': token },
        kmsSettings: { 'keywarden.vault.address': vaultAddress, 'token.id': token },
        // The executor wraps the new DEK, registers it and unwraps the registered copy; the
        // reader unwraps it once more.
        afterWrite: () => checkSeen(['encrypt', 'decrypt']),
        afterRead: () => checkSeen(['decrypt']),
    });
}

try {
    await (mode === 'serde' ? serde() : mode === 'unwrap' ? unwrap() : wrap());
} finally {
    proxy.close();
}
