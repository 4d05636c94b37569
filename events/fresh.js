// @ts-check
/**
 * A sample event as if it happened just now, for `sls invoke local --path events/<name>.now.js`
 * (osls loads a `.js` path with `require` and uses its export as the event). Every timestamp in it
 * (also those inside JSON strings such as an SNS Message) moves by the same amount, so the newest is
 * now and their order and gaps stay; event and message ids are new, so invoking the same sample
 * twice is two deliveries, not a duplicate the alarm function drops.
 */
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$/;
/** An EventBridge event's `id` (top level) and an SNS record's `MessageId`: what deduplication keys on. */
const isDeliveryId = (key, depth) => (key === 'id' && depth === 0) || key === 'MessageId';

/** @param {unknown} value @param {(text: string) => string | undefined} onString @param {number} [depth] @returns {unknown} */
function mapStrings(value, onString, depth = 0) {
  if (typeof value === 'string') {
    if (/^\s*\{/.test(value)) {
      try {
        return JSON.stringify(mapStrings(JSON.parse(value), onString, depth + 1));
      } catch {
        // Not JSON after all: an ordinary string.
      }
    }
    return onString(value) ?? value;
  }
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, onString, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        isDeliveryId(key, depth) && typeof item === 'string' ? randomUUID() : mapStrings(item, onString, depth + 1),
      ]),
    );
  }
  return value;
}

/** ISO 8601 as the sample wrote it: the same fraction digits and zone style, in UTC. */
function format(epochMs, fraction, zone) {
  const iso = new Date(epochMs).toISOString(); // 2026-12-01T10:00:05.205Z
  const digits = fraction ? iso.slice(19, 20 + fraction.length - 1) : '';
  const suffix = zone === 'Z' ? 'Z' : zone.includes(':') ? '+00:00' : '+0000';
  return `${iso.slice(0, 19)}${digits}${suffix}`;
}

/** @param {string} name a file in events/ @param {number} [nowEpochMs] */
function fresh(name, nowEpochMs = Date.now()) {
  const event = JSON.parse(readFileSync(join(__dirname, name), 'utf8'));
  /** @type {number[]} */
  const times = [];
  mapStrings(event, (text) => {
    const match = ISO.exec(text);
    if (match) times.push(Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')));
    return undefined;
  });
  const shiftMs = times.length > 0 ? nowEpochMs - Math.max(...times) : 0;
  return mapStrings(event, (text) => {
    const match = ISO.exec(text);
    return match ? format(Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) + shiftMs, match[2], match[3]) : undefined;
  });
}

module.exports = { fresh };
