/**
 * Email templates, pure: typed functions returning subject, HTML and text. HTML is built only with
 * the `html` tagged template, which escapes every interpolated value unless it is already `SafeHtml`
 * (the output of another `html` template), so user text can never become markup.
 */
import type { NotificationPriority, NotificationType } from '../model.ts';

/** HTML that has been escaped or written by us; the only thing `html` interpolates verbatim. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

type Interpolation = SafeHtml | string | number | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((item: Interpolation) => render(item)).join('');
  return escapeHtml(String(value));
}

/** The tagged template: literal parts verbatim, every interpolation escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A rendered email. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Per-type wording and colour: each type reads as what it is. */
const TYPE_STYLE: Record<NotificationType, { label: string; accent: string; why: string }> = {
  security_alert: {
    label: 'Security alert',
    accent: '#b42318',
    why: 'security alerts for your account',
  },
  billing: { label: 'Billing', accent: '#175cd3', why: 'billing notifications' },
  compliance: { label: 'Compliance', accent: '#6941c6', why: 'compliance notifications' },
  system: { label: 'System', accent: '#475467', why: 'system notifications' },
  informational: { label: 'Information', accent: '#475467', why: 'informational notifications' },
  support: { label: 'Support', accent: '#067647', why: 'support ticket notifications' },
};

/** Subject lines are single-line and bounded: a title with line breaks must not inject headers. */
export function subjectOf(title: string, priority: NotificationPriority = 'medium'): string {
  const line =
    title
      .replace(/[\r\n\t]+/g, ' ')
      .trim()
      .slice(0, 200) || 'Notification';
  return priority === 'critical' ? `[Critical] ${line}` : line;
}

/** An absolute link for a portal route (`/support/SB-1042`); anything but a path is dropped. */
export function absoluteLink(publicUrl: string, route: string | null): string | null {
  if (!route || !route.startsWith('/') || route.startsWith('//')) return null;
  return new URL(route, publicUrl).toString();
}

function layout(input: { accent: string; label: string; content: SafeHtml; footer: SafeHtml }): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${input.label}</title>
      </head>
      <body
        style="margin:0;padding:24px;background:#f2f4f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#101828"
      >
        <table
          role="presentation"
          width="100%"
          style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;border-top:4px solid ${input.accent}"
        >
          <tr>
            <td style="padding:24px">
              <p
                style="margin:0 0 8px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:${input.accent}"
              >
                ${input.label}
              </p>
              ${input.content}
            </td>
          </tr>
          <tr>
            <td style="padding:16px 24px;font-size:12px;color:#667085;border-top:1px solid #eaecf0">${input.footer}</td>
          </tr>
        </table>
      </body>
    </html>`.value;
}

/** What every email is made of; `renderEmail` assembles both parts and the footer from it. */
interface EmailParts {
  subject: string;
  /** The small heading above the title, e.g. `Security alert · critical`. */
  label: string;
  accent: string;
  title: string;
  /** The body under the title, as HTML. */
  body: SafeHtml;
  /** The same body as plain-text lines. */
  lines: readonly string[];
  /** What is switched on that brought this email ("support ticket notifications"). */
  why: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** The one assembly of an email: label, title and body in the shared layout, with the footer in both parts. */
function renderEmail(parts: EmailParts): RenderedEmail {
  const { why, unsubscribeUrl, preferencesUrl } = parts;
  const footer = html`You receive this email because ${why} are on in your notification settings.
    <a href="${unsubscribeUrl}" style="color:#667085">Unsubscribe from these emails</a> ·
    <a href="${preferencesUrl}" style="color:#667085">Notification settings</a>`;
  const content = html`<h1 style="margin:0 0 16px;font-size:20px">${parts.title}</h1>
    ${parts.body}`;
  const text = [
    parts.label.toUpperCase(),
    '',
    parts.title,
    '',
    ...parts.lines,
    '',
    '--',
    `You receive this email because ${why} are on in your notification settings.`,
    `Unsubscribe: ${unsubscribeUrl}`,
    `Settings: ${preferencesUrl}`,
  ].join('\n');
  return { subject: parts.subject, html: layout({ accent: parts.accent, label: parts.label, content, footer }), text };
}

/** Input of one notification's email. Links are absolute already. */
export interface NotificationEmailInput {
  type: NotificationType;
  priority: NotificationPriority;
  title: string;
  body: string;
  actionUrl: string | null;
  groupCount: number;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** One notification as an email. */
export function notificationEmail(input: NotificationEmailInput): RenderedEmail {
  const style = TYPE_STYLE[input.type];
  const paragraphs = input.body.split(/\n{2,}/).filter((p) => p.trim() !== '');
  const more = input.groupCount > 1 ? `${input.groupCount} updates in this thread.` : null;
  return renderEmail({
    subject: subjectOf(input.title, input.priority),
    label: input.priority === 'critical' ? `${style.label} · critical` : style.label,
    accent: style.accent,
    title: input.title,
    body: html`${paragraphs.map((p) => html`<p style="margin:0 0 12px;white-space:pre-line">${p}</p>`)}
    ${more ? html`<p style="margin:0 0 12px;color:#667085">${more}</p>` : null}
    ${input.actionUrl ? html`<p style="margin:24px 0 0"><a href="${input.actionUrl}" style="display:inline-block;padding:10px 16px;background:${style.accent};color:#ffffff;text-decoration:none;border-radius:6px">Open in SecureBase</a></p>` : null}`,
    lines: [input.body, ...(more ? ['', more] : []), ...(input.actionUrl ? ['', `Open: ${input.actionUrl}`] : [])],
    why: style.why,
    unsubscribeUrl: input.unsubscribeUrl,
    preferencesUrl: input.preferencesUrl,
  });
}

/** One suppressed notification as a digest lists it. */
export interface DigestItem {
  type: NotificationType;
  title: string;
  createdAt: string;
  actionUrl: string | null;
}

/** Input of the digest that replaces what storm control held back. */
export interface DigestEmailInput {
  items: readonly DigestItem[];
  inboxUrl: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** The digest: one email listing the notifications that went over the hourly limit. */
export function digestEmail(input: DigestEmailInput): RenderedEmail {
  const count = input.items.length;
  const title = `${count} more notification${count === 1 ? '' : 's'} while emails were paused`;
  const intro = 'So many arrived at once that we held these back instead of filling your mailbox:';
  return renderEmail({
    subject: title,
    label: 'Digest',
    accent: '#475467',
    title,
    body: html`<p style="margin:0 0 12px">${intro}</p>
      <ul style="padding-left:20px;margin:0 0 16px">
        ${input.items.map(
          (item) =>
            html`<li style="margin:0 0 6px">
              <span style="color:#667085">${TYPE_STYLE[item.type].label}</span> ·
              ${item.actionUrl ? html`<a href="${item.actionUrl}">${item.title}</a>` : item.title}
            </li>`,
        )}
      </ul>
      <p style="margin:24px 0 0"><a href="${input.inboxUrl}">Open your notifications</a></p>`,
    lines: [
      intro,
      '',
      ...input.items.map(
        (item) => `- [${TYPE_STYLE[item.type].label}] ${item.title}${item.actionUrl ? ` (${item.actionUrl})` : ''}`,
      ),
      '',
      `Open your notifications: ${input.inboxUrl}`,
    ],
    why: 'notification emails',
    unsubscribeUrl: input.unsubscribeUrl,
    preferencesUrl: input.preferencesUrl,
  });
}

/** Input of the test email of `POST /v1/notifications/test`. */
export interface TestEmailInput {
  name: string;
  sentAt: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

/** The test email: proof that the mail path works end to end. */
export function testEmail(input: TestEmailInput): RenderedEmail {
  const title = 'SecureBase test email';
  const greeting = `Hello ${input.name}, this email was requested from your notification settings at ${input.sentAt}. Email delivery works.`;
  return renderEmail({
    subject: title,
    label: 'Test',
    accent: '#475467',
    title,
    body: html`<p style="margin:0 0 12px">${greeting}</p>`,
    lines: [greeting],
    why: 'system notifications',
    unsubscribeUrl: input.unsubscribeUrl,
    preferencesUrl: input.preferencesUrl,
  });
}
