/**
 * An E.164 phone number, as SNS `Publish` takes it in `PhoneNumber`: `+`, a country code that does
 * not start with 0, up to 15 digits in all. One rule for the config schema, the drill's check and
 * the simulated SNS.
 * https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html
 */
export const E164_PHONE_NUMBER = /^\+[1-9]\d{6,14}$/;
