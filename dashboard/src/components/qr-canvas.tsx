/** Draws a WhatsApp QR string on a canvas in the page (no image URL, so no img-src needed in the CSP). */
import { useEffect, useRef } from 'preact/hooks';
import QRCode from 'qrcode';

export function QrCanvas({ qr, label }: { qr: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, qr, { width: 280, margin: 2 });
  }, [qr]);
  return <canvas ref={canvas} class="qr" role="img" aria-label={label} data-qr={qr} width={280} height={280} />;
}
