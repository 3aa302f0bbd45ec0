// azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION
// azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION unwrap WRAPPED_B64 DEK_HEX
// azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION serde KEK_KEY_ID REGISTRY_URL OUT_FIXTURE
//
// The official Azure SDK (@azure/keyvault-keys' CryptographyClient, what Confluent's
// azure-kms client calls) against the sandbox's Azure Key Vault double. Confluent's own
// AzureKmsDriver cannot be pointed at a double: it builds a ClientSecretCredential with no
// options (MSAL: https authority only, instance discovery against login.microsoftonline.com)
// and a CryptographyClient with challenge-resource verification on (the vault host must be
// under vault.azure.net), for the KEK's own key id. So this uses the same SDK class with:
//   - a TokenCredential written here that gets its token from the double's token endpoint
//     TOKEN_URL with the client-credentials grant (the same form MSAL posts);
//   - disableChallengeResourceVerification, as the vault is https://127.0.0.1:<port>;
//   - a small https proxy (cert made by the run script, trusted via NODE_EXTRA_CA_CERTS,
//     key and cert in TLS_KEY/TLS_CERT) mapping https://127.0.0.1:<port>/keys/... to
//     VAULT_URL/keys/... byte for byte, as the SDK insists on https. The proxy records every
//     call: each must get the double's challenge (401, no token) or a 200 (a bearer token).
// Credentials come from the environment: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET.
//
// Default mode: the SDK wraps a random 34-byte DEK with RSA-OAEP-256, checks it unwraps it
// again, and prints {"jsWrapped": b64, "dekHex": hex}. unwrap: the SDK unwraps WRAPPED_B64 (raw
// RSA-OAEP-256 bytes, e.g. Keywarden's) and checks it gives DEK_HEX.
// serde: Confluent's serializer (kms-serde.mjs) writes records under an azure-kms KEK whose
// kmsKeyId is KEK_KEY_ID (https://<vault>.vault.azure.net/keys/KEY_NAME/KEY_VERSION), with
// Confluent's AzureKmsDriver and AzureKmsClient unchanged except for the one thing they cannot
// be told: the CryptographyClient each AzureKmsClient built (for KEK_KEY_ID, with the
// ClientSecretCredential the driver made of tenant.id, client.id and client.secret, both
// asserted) is replaced by the one above. OUT_FIXTURE is for `keywarden-interop decrypt`, with
// kmsSettings azure-kms = the same credentials plus keywarden.authority.host and
// keywarden.vault.url (KEYWARDEN_AZURE_AUTHORITY, KEYWARDEN_AZURE_VAULT_URL, where "{vault}"
// stands for the key id's vault name).
import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { registerKmsDriver } from '@confluentinc/schemaregistry';
import { serializerRoundTrip } from './kms-serde.mjs';

// The CommonJS builds, the ones Confluent's driver loads (so instanceof holds).
const require = createRequire(import.meta.url);
const { CryptographyClient } = require('@azure/keyvault-keys');
const { ClientSecretCredential } = require('@azure/identity');
const { AzureKmsDriver } = require('@confluentinc/schemaregistry/dist/rules/encryption/azurekms/azure-driver.js');
const azureClientModule = require('@confluentinc/schemaregistry/dist/rules/encryption/azurekms/azure-client.js');

const [tokenUrl, vaultUrl, keyName, keyVersion, mode, ...rest] = process.argv.slice(2);
const usage = !tokenUrl || !vaultUrl || !keyName || !keyVersion
    || (mode === 'unwrap' && rest.length !== 2) || (mode === 'serde' && rest.length !== 3)
    || (mode && !['unwrap', 'serde'].includes(mode));
if (usage) {
    console.error('usage: node azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION\n'
        + '       node azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION unwrap B64 HEX\n'
        + '       node azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION serde KEK_KEY_ID REGISTRY_URL OUT');
    process.exit(2);
}
const target = new URL(vaultUrl);
const tenantId = process.env.AZURE_TENANT_ID;
const clientId = process.env.AZURE_CLIENT_ID;
const clientSecret = process.env.AZURE_CLIENT_SECRET;

// A TokenCredential (@azure/core-auth): client credentials against the double.
const credential = {
    async getToken(scopes) {
        const form = new URLSearchParams({
            grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret,
            scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
        });
        const r = await fetch(tokenUrl, {
            method: 'POST', body: form,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        const json = await r.json();
        assert.equal(r.status, 200, JSON.stringify(json));
        return { token: json.access_token, expiresOnTimestamp: Date.now() + json.expires_in * 1000 };
    },
};

const seen = []; // { method, path, authorization, status }
const proxy = https.createServer({
    key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT),
}, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const call = { method: req.method, path: req.url, authorization: req.headers.authorization ?? '', status: 0 };
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
        out.end(Buffer.concat(chunks));
    });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyKeyId = `https://127.0.0.1:${proxy.address().port}/keys/${keyName}/${keyVersion}`;

// The SDK's calls since the last check, as "METHOD /path STATUS" (query left out): exactly
// `calls`. A 401 must be the challenge to an unauthenticated call, a 200 carry a bearer token.
function checkSeen(calls) {
    assert.deepEqual(seen.map((c) => `${c.method} ${c.path.split('?')[0]} ${c.status}`), calls,
        'the calls the SDK made');
    for (const c of seen) {
        if (c.status === 401)
            assert.equal(c.authorization, '', `${c.path}: only the unauthenticated call is challenged`);
        else
            assert.match(c.authorization, /^Bearer \S+$/, `Authorization of ${c.path}`);
    }
    console.log(`ok the double answered ${seen.length} SDK calls (${calls.join(', ')})`);
    seen.length = 0;
}

const keyPath = `/keys/${keyName}/${keyVersion}`;
// A fresh CryptographyClient first fetches the key (to see what it may do locally): challenged
// without a token, then sent again with one. Locally it does only RSA1_5 and RSA-OAEP, so
// every RSA-OAEP-256 encrypt and decrypt goes to the vault.
const firstCall = [`GET ${keyPath} 401`, `GET ${keyPath} 200`];

async function wrap() {
    const client = new CryptographyClient(proxyKeyId, credential, { disableChallengeResourceVerification: true });
    const dek = randomBytes(34);
    const wrapped = await client.encrypt('RSA-OAEP-256', dek);
    assert.equal(wrapped.algorithm, 'RSA-OAEP-256');
    assert.equal(wrapped.result.length, 256);
    const again = await client.decrypt('RSA-OAEP-256', wrapped.result);
    assert.deepEqual(Buffer.from(again.result), dek);
    checkSeen([...firstCall, `POST ${keyPath}/encrypt 200`, `POST ${keyPath}/decrypt 200`]);
    console.log(JSON.stringify({
        jsWrapped: Buffer.from(wrapped.result).toString('base64'), dekHex: dek.toString('hex'),
    }));
}

async function unwrap() {
    const [wrappedB64, dekHex] = rest;
    const client = new CryptographyClient(proxyKeyId, credential, { disableChallengeResourceVerification: true });
    const plain = await client.decrypt('RSA-OAEP-256', Buffer.from(wrappedB64, 'base64'));
    assert.equal(Buffer.from(plain.result).toString('hex'), dekHex);
    checkSeen([...firstCall, `POST ${keyPath}/decrypt 200`]);
    console.log('the Azure SDK unwrapped the DEK Keywarden wrapped');
}

async function serde() {
    const [kekKeyId, registryUrl, outPath] = rest;
    // What Confluent's driver hands each AzureKmsClient it makes, recorded (the class itself
    // is unchanged: AzureKmsDriver looks it up on this module when it builds a client).
    const built = [];
    const Original = azureClientModule.AzureKmsClient;
    azureClientModule.AzureKmsClient = class extends Original {
        constructor(keyUri, creds) {
            super(keyUri, creds);
            built.push(creds);
        }
    };
    class ProxiedAzureKmsDriver extends AzureKmsDriver {
        newKmsClient(config, keyUrl) {
            const azureClient = super.newKmsClient(config, keyUrl);
            assert.ok(azureClient instanceof Original, 'Confluent\'s AzureKmsClient');
            assert.equal(azureClient.keyId, kekKeyId);
            const made = azureClient.kmsClient;
            assert.ok(made instanceof CryptographyClient, 'the CryptographyClient it built');
            assert.equal(made.keyID, kekKeyId);
            assert.equal(made.vaultUrl, new URL(kekKeyId).origin);
            const creds = built.pop();
            assert.ok(creds instanceof ClientSecretCredential, 'the credential Confluent\'s driver built');
            assert.equal(creds.tenantId, tenantId);
            assert.equal(creds.clientSecret, clientSecret);
            assert.equal(config.get('client.id'), clientId);
            // The same key, through the proxy, with the same app registration's credentials.
            azureClient.kmsClient = new CryptographyClient(proxyKeyId, credential,
                { disableChallengeResourceVerification: true });
            return azureClient;
        }
    }
    registerKmsDriver(new ProxiedAzureKmsDriver());
    const credentials = { 'tenant.id': tenantId, 'client.id': clientId, 'client.secret': clientSecret };
    await serializerRoundTrip({
        registryUrl, kmsType: 'azure-kms', keyId: kekKeyId, outPath, ruleConfig: credentials,
        kmsSettings: {
            ...credentials,
            'keywarden.authority.host': process.env.KEYWARDEN_AZURE_AUTHORITY,
            'keywarden.vault.url': process.env.KEYWARDEN_AZURE_VAULT_URL,
        },
        // The executor wraps the new DEK, registers it and unwraps the registered copy; the
        // reader unwraps it once more, with the same client (the driver made one).
        afterWrite: () => checkSeen([...firstCall, `POST ${keyPath}/encrypt 200`, `POST ${keyPath}/decrypt 200`]),
        afterRead: () => checkSeen([`POST ${keyPath}/decrypt 200`]),
    });
}

try {
    await (mode === 'serde' ? serde() : mode === 'unwrap' ? unwrap() : wrap());
} finally {
    proxy.close();
}
