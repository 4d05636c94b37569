// The sample in alarm-sns.json as if it happened now (see ./fresh.js).
module.exports = require('./fresh').fresh('alarm-sns.json');
