// The sample in alarm-forwarded.json as if it happened now (see ./fresh.js).
module.exports = require('./fresh').fresh('alarm-forwarded.json');
