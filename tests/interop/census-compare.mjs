#!/usr/bin/env node
// census-compare.mjs <census-client-out.json> <census.jsonl>
//
// Compares what `keywarden-cli census --format json` printed (census.jsonl) with
// what census-client.mjs encrypted (its `expected`): for every DEK version, the
// encryptions, records, encryptions per topic and values without a version
// prefix, exactly; no DEK version the client did not use; per topic the
// records and how they are protected; no problem lines. Prints ok/FAIL per
// check and `N passed, M failed`; exits non-zero on any failure.

import { readFile } from 'node:fs/promises';

const [expectedPath, censusPath] = process.argv.slice(2);
if (!expectedPath || !censusPath) {
  console.error('usage: node census-compare.mjs <census-client-out.json> <census.jsonl>');
  process.exit(2);
}

const { expected } = JSON.parse(await readFile(expectedPath, 'utf8'));
const lines = (await readFile(censusPath, 'utf8')).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

let passed = 0;
let failed = 0;
function result(name, problem) {
  if (problem) {
    failed++;
    console.log(`FAIL ${name}: ${problem}`);
  } else {
    passed++;
    console.log(`ok ${name}`);
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sortedObject = (o) => Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));

const idOf = (d) => `${d.kek} ${d.subject} ${d.algorithm} v${d.version}`;
const censusDeks = new Map(lines.filter((l) => l.type === 'dek').map((l) => [idOf(l), l]));

for (const want of expected.deks) {
  const id = idOf(want);
  const got = censusDeks.get(id);
  censusDeks.delete(id);
  if (!got) {
    result(`census line for ${id}`, `missing; census printed ${lines.filter((l) => l.type === 'dek').map(idOf).join(', ')}`);
    continue;
  }
  const diffs = [];
  if (got.encryptions !== want.encryptions) diffs.push(`encryptions ${got.encryptions}, the client encrypted ${want.encryptions}`);
  if (got.records !== want.records) diffs.push(`records ${got.records}, expected ${want.records}`);
  if ((got.unprefixed ?? 0) !== want.unprefixed) diffs.push(`unprefixed ${got.unprefixed ?? 0}, expected ${want.unprefixed}`);
  if (!same(sortedObject(got.topics), sortedObject(want.topics))) diffs.push(`topics ${JSON.stringify(got.topics)}, expected ${JSON.stringify(want.topics)}`);
  if (!Number.isInteger(got.firstSeen) || !Number.isInteger(got.lastSeen) || got.firstSeen > got.lastSeen) {
    diffs.push(`firstSeen ${got.firstSeen} / lastSeen ${got.lastSeen} are not an ordered pair of epoch ms`);
  }
  result(`${id}: ${want.encryptions} encryptions in ${want.records} records`, diffs.join('; '));
}
for (const [id, extra] of censusDeks) result(`census line for ${id}`, `no value was encrypted under it: ${JSON.stringify(extra)}`);

const censusTopics = new Map(lines.filter((l) => l.type === 'topic').map((l) => [l.topic, l]));
for (const [topic, want] of Object.entries(expected.topics)) {
  const got = censusTopics.get(topic);
  censusTopics.delete(topic);
  if (!got) {
    result(`topic ${topic}`, 'no topic line');
    continue;
  }
  const wantProtection = {
    csfleField: want.csfleField, csflePayload: want.csflePayload, srPlain: 0, notSrFramed: 0, tombstone: 0, undecodable: 0,
  };
  const diffs = [];
  if (got.records !== want.records) diffs.push(`records ${got.records}, expected ${want.records}`);
  if (!same(sortedObject(got.protection), sortedObject(wantProtection))) diffs.push(`protection ${JSON.stringify(got.protection)}, expected ${JSON.stringify(wantProtection)}`);
  if (got.missed) diffs.push(`missed ${got.missed}`);
  result(`topic ${topic}: ${want.records} records`, diffs.join('; '));
}
for (const [topic] of censusTopics) result(`topic ${topic}`, 'not asked for');
for (const p of lines.filter((l) => l.type === 'problem')) result(`problem in ${p.topic}`, JSON.stringify(p));
const unknown = lines.filter((l) => !['dek', 'topic', 'problem'].includes(l.type));
if (unknown.length) result('census output', `lines of unknown type: ${JSON.stringify(unknown)}`);

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
