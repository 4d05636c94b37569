/**
 * An E.164 phone number, as SNS `Publish` takes it in `PhoneNumber`: `+`, a country code that does
 * not start with 0, up to 15 digits in all. One rule for the config schema, the drill's check and
 * the simulated SNS.
 * https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html
 */
export const E164_PHONE_NUMBER = /^\+[1-9]\d{6,14}$/;

/** `+15555550100` → `+1555•••0100`: at most 4 leading and 4 trailing digits, always ≥ 3 hidden. */
export function maskPhoneNumber(phoneNumber: string): string {
  const trimmed = phoneNumber.trim();
  const digits = trimmed.replace(/\D/g, '');
  const prefix = trimmed.startsWith('+') ? '+' : '';
  const headLength = Math.max(0, Math.min(4, digits.length - 7));
  const tailLength = Math.max(0, Math.min(4, digits.length - headLength - 3));
  return `${prefix}${digits.slice(0, headLength)}•••${tailLength > 0 ? digits.slice(-tailLength) : ''}`;
}

const PHONE_LIKE = /\+?\d[\d ()-]{6,20}\d/g;

/** Mask every phone-number-like run of digits in a text (for AWS error messages). */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(PHONE_LIKE, (match) => (match.replace(/\D/g, '').length >= 7 ? maskPhoneNumber(match) : match));
}
