/**
 * Alert notifications to channels: generic JSON webhook, Slack-compatible incoming webhook, email
 * over SMTP (nodemailer). Best effort: a channel that fails is recorded (lastError) and logged
 * without the message; it never holds up evaluation or other channels.
 */
import nodemailer from 'nodemailer';
import type { AlertChannel, AlertRecord } from '../domain/alert-records.ts';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundGuard } from '../net/outbound-guard.ts';

export type AlertTransition = 'alert.firing' | 'alert.resolved';

export interface AlertNotice {
  type: AlertTransition | 'alert.test';
  alert: AlertRecord;
}

export interface NotifierOptions {
  smtpUrl: string | undefined;
  emailFrom: string;
  timeoutMs: number;
  /** Channel POSTs go through the guard's agents: the address dialled is checked, as for webhooks. */
  guard: OutboundGuard;
}

export type ChannelSender = (channel: AlertChannel, notice: AlertNotice) => Promise<void>;

function headline(notice: AlertNotice): string {
  const { alert } = notice;
  const state = notice.type === 'alert.resolved' ? 'RESOLVED' : notice.type === 'alert.test' ? 'TEST' : alert.severity.toUpperCase();
  return `[wafleet ${state}] ${alert.tenantId ?? 'installation'}: ${alert.summary}`;
}

export function alertPayload(notice: AlertNotice): Record<string, unknown> {
  return { type: notice.type, alert: notice.alert };
}

export function slackPayload(notice: AlertNotice): Record<string, unknown> {
  const { alert } = notice;
  const color = notice.type === 'alert.resolved' ? 'good' : alert.severity === 'critical' ? 'danger' : 'warning';
  return {
    text: headline(notice),
    attachments: [
      {
        color,
        fields: [
          { title: 'Rule', value: alert.rule, short: true },
          { title: 'Count', value: String(alert.count), short: true },
          { title: 'Since', value: new Date(alert.startedAt).toISOString(), short: true },
          ...(alert.subjects.length ? [{ title: 'Affected', value: alert.subjects.slice(0, 20).join(', '), short: false }] : []),
        ],
      },
    ],
  };
}

function emailText(notice: AlertNotice): string {
  const { alert } = notice;
  return [
    headline(notice),
    '',
    `Rule:     ${alert.rule} (${alert.severity})`,
    `Tenant:   ${alert.tenantId ?? '(installation)'}`,
    `Count:    ${alert.count}`,
    `Since:    ${new Date(alert.startedAt).toISOString()}`,
    ...(alert.resolvedAt ? [`Resolved: ${new Date(alert.resolvedAt).toISOString()}`] : []),
    ...(alert.subjects.length ? ['', 'Affected:', ...alert.subjects.map((subject) => `  - ${subject}`)] : []),
    '',
    `Alert ${alert.id}: GET /v1/alerts/${alert.id}; acknowledge with POST /v1/alerts/${alert.id}/acknowledge.`,
  ].join('\n');
}

export function createChannelSender(options: NotifierOptions): ChannelSender {
  let mailer: ReturnType<typeof nodemailer.createTransport> | undefined;
  const agents = options.guard.agents({ keepAlive: true });
  const postJson = (url: string, body: unknown): Promise<void> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const payload = JSON.stringify(body);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, {
        method: 'POST',
        agent: target.protocol === 'https:' ? agents.https : agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'wafleet-alerts' },
        timeout: options.timeoutMs,
      }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        // No redirects are followed: a channel answers where it was registered.
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`the endpoint answered HTTP ${status}`));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  return async (channel, notice) => {
    if (channel.type === 'email') {
      if (!options.smtpUrl) throw new Error('WAFLEET_SMTP_URL is not set');
      mailer ??= nodemailer.createTransport(options.smtpUrl);
      await mailer.sendMail({ from: options.emailFrom, to: channel.to, subject: headline(notice), text: emailText(notice) });
      return;
    }
    if (!channel.url) throw new Error('the channel has no URL');
    await postJson(channel.url, channel.type === 'slack' ? slackPayload(notice) : alertPayload(notice));
  };
}
