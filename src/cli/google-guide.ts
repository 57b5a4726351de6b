/**
 * What to set up in Google Cloud, printed when a Gmail account is added with no client id yet.
 *
 * The steps are the window's (src/shared/google-setup-guide.ts, one wording for both); only
 * the last one differs, since here the values go in with `config set` instead of a form.
 */
import { GOOGLE_SETUP_INTRO, GOOGLE_SETUP_STEPS, type GuidePart } from '../shared/google-setup-guide.js';

function text(parts: readonly GuidePart[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : `"${part.copy}"`)).join('');
}

export function googleGuide(): string {
  const steps = GOOGLE_SETUP_STEPS.slice(0, -1);
  const lines = [`No Google client yet. ${GOOGLE_SETUP_INTRO}`];
  steps.forEach((step, index) => {
    lines.push(`  ${index + 1}. ${step.title} ${text(step.parts)}`);
    for (const group of step.groups ?? []) lines.push(`       ${group.title}: ${group.values.join(' ')}`);
    if (step.after) lines.push(`       ${text(step.after)}`);
  });
  lines.push(
    `  ${steps.length + 1}. Client ID and secret: run \`tokentray config set google.clientId <Client ID>\`, then`,
    '       `tokentray config set-secret google.clientSecret` and paste the secret (it goes into the encrypted vault).',
  );
  return lines.join('\n');
}
