// Receiver code that verifies this server's signatures (Standard Webhooks): the `whsec_` secret's
// base64 key, HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${raw body}`, and any one of the
// space-separated `v1,<base64>` signatures matching (several while a rotated secret is in grace).

export interface SignatureSnippet {
  id: 'node' | 'python' | 'go';
  label: string;
  code: string;
}

const NODE = `// npm install standardwebhooks
import express from 'express';
import { Webhook } from 'standardwebhooks';

// The endpoint's signing secret, "whsec_…" (the library strips the prefix and decodes the base64).
const webhook = new Webhook(process.env.SECUREBASE_WEBHOOK_SECRET);

const app = express();
// Verify the raw body: re-serialised JSON would not match the signature.
app.post('/hooks/securebase', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    event = webhook.verify(req.body.toString('utf8'), {
      'webhook-id': req.get('webhook-id'),
      'webhook-timestamp': req.get('webhook-timestamp'),
      'webhook-signature': req.get('webhook-signature'),
    });
  } catch {
    return res.status(400).send('invalid signature');
  }
  // webhook-id is the same on every retry: use it to ignore duplicates.
  console.log(event.type, event.data);
  res.sendStatus(204);
});

app.listen(3000);
`;

const PYTHON = `# Standard library only (pip install standardwebhooks does the same).
import base64
import hashlib
import hmac
import time

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """secret is the endpoint's "whsec_…" value; body the raw request bytes."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Several space-separated signatures while a rotated secret is still valid.
    for versioned in headers["webhook-signature"].split(" "):
        version, _, signature = versioned.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


# Flask:
# @app.post("/hooks/securebase")
# def receive():
#     headers = {k.lower(): v for k, v in request.headers.items()}
#     if not verify(SECRET, headers, request.get_data()):
#         abort(400)
#     return "", 204
`;

const GO = `package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const tolerance = 5 * time.Minute

// Verify checks a delivery; secret is the endpoint's "whsec_…" value, body the raw request bytes.
func Verify(secret string, header http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id := header.Get("webhook-id")
	timestamp := header.Get("webhook-timestamp")
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("invalid webhook-timestamp")
	}
	if age := time.Since(time.Unix(seconds, 0)); age > tolerance || age < -tolerance {
		return errors.New("webhook-timestamp outside the tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	// Several space-separated signatures while a rotated secret is still valid.
	for _, versioned := range strings.Split(header.Get("webhook-signature"), " ") {
		version, signature, found := strings.Cut(versioned, ",")
		if !found || version != "v1" {
			continue
		}
		decoded, err := base64.StdEncoding.DecodeString(signature)
		if err == nil && hmac.Equal(decoded, expected) {
			return nil
		}
	}
	return errors.New("no matching signature")
}
`;

export const SIGNATURE_SNIPPETS: readonly SignatureSnippet[] = [
  { id: 'node', label: 'Node', code: NODE },
  { id: 'python', label: 'Python', code: PYTHON },
  { id: 'go', label: 'Go', code: GO },
];
