// The sample in alarm-eventbridge.json as if it happened now (see ./fresh.js).
module.exports = require('./fresh').fresh('alarm-eventbridge.json');
