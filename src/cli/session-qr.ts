/**
 * `wafleet sessions qr <id>`: draws the session's QR in the terminal through the running server's
 * API, redraws it as WhatsApp rotates it, and returns once the session is WORKING.
 */
import QRCode from 'qrcode';

export const QR_USAGE = `  sessions qr ID --key KEY [--url http://127.0.0.1:3000] [--timeout-s 300]
                                draw the QR in the terminal until the session is WORKING
`;

interface Answer {
  status: number;
  body: string;
}

async function get(url: string, key: string): Promise<Answer> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.text() };
}

export async function runSessionQr(id: string | undefined, options: { key?: string; url?: string; timeoutS?: number }, port: number): Promise<number> {
  if (!id || !options.key) {
    console.error('wafleet: sessions qr needs a session id and --key');
    return 2;
  }
  const base = (options.url ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const path = `${base}/v1/sessions/${encodeURIComponent(id)}`;
  const deadline = Date.now() + (options.timeoutS ?? 300) * 1000;
  let shown: string | undefined;
  while (Date.now() < deadline) {
    const session = await get(path, options.key);
    if (session.status !== 200) {
      console.error(`wafleet: ${session.status}: ${session.body}`);
      return 1;
    }
    const { status, statusReason } = JSON.parse(session.body) as { status: string; statusReason: string | null };
    if (status === 'WORKING') {
      console.log(`\n${id} is WORKING.`);
      return 0;
    }
    if (status === 'FAILED' || status === 'LOGGED_OUT' || status === 'STOPPED') {
      console.error(`wafleet: ${id} is ${status}${statusReason ? ` (${statusReason})` : ''}: start it first (POST /v1/sessions/${id}/start)`);
      return 1;
    }
    const qr = status === 'SCAN_QR' ? await get(`${path}/qr?format=raw`, options.key) : undefined;
    if (qr?.status === 200 && qr.body !== shown) {
      shown = qr.body;
      const drawing = await QRCode.toString(qr.body, { type: 'terminal', small: true });
      process.stdout.write(`\x1b[2J\x1b[H${drawing}\nScan with WhatsApp → Settings → Linked devices → Link a device (${id}, ${status})\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.error(`wafleet: ${id} did not reach WORKING in time`);
  return 1;
}
