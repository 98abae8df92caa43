package iamporttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// WebhookDelivery is one webhook the fake POSTed.
type WebhookDelivery struct {
	URL         string // where it was sent
	ContentType string // application/json or application/x-www-form-urlencoded
	Body        []byte // the body as sent
	ImpUID      string
	MerchantUID string
	Status      string    // paid, failed or cancelled
	StatusCode  int       // the receiver's answer (0 if it failed)
	Err         string    // delivery error, or the non-2xx answer, if any
	At          time.Time // fake clock
	Lost        bool      // lost on the way (see LoseWebhooks): the receiver never saw it
}

// webhookJob is a webhook to deliver once the lock is released.
type webhookJob struct {
	url, ctype                  string
	body                        []byte
	impUID, merchantUID, status string
	at                          time.Time
}

// hook prepares the webhook for p to noticeURL, or the console URL set by
// WithWebhookURL; none when neither is set. Call with mu held.
func (c *core) hook(noticeURL string, p *payment, status, cancellationID string) []webhookJob {
	target := noticeURL
	if target == "" {
		target = c.cfg.webhookURL
	}
	if target == "" {
		return nil
	}
	j := webhookJob{url: target, impUID: p.ImpUID, merchantUID: p.MerchantUID, status: status, at: c.now}
	if c.cfg.webhookForm {
		v := url.Values{"imp_uid": {p.ImpUID}, "merchant_uid": {p.MerchantUID}, "status": {status}}
		if cancellationID != "" {
			v.Set("cancellation_id", cancellationID)
		}
		j.ctype, j.body = "application/x-www-form-urlencoded", []byte(v.Encode())
	} else {
		body := struct {
			ImpUID         string `json:"imp_uid"`
			MerchantUID    string `json:"merchant_uid"`
			Status         string `json:"status"`
			CancellationID string `json:"cancellation_id,omitempty"`
		}{p.ImpUID, p.MerchantUID, status, cancellationID}
		b, _ := json.Marshal(body)
		j.ctype, j.body = "application/json", b
	}
	return []webhookJob{j}
}

// deliver POSTs the webhooks one at a time, without the lock held (the
// receiver usually calls the fake back to verify the payment), and records
// each. A receiver that fails or answers non-2xx is recorded, not retried.
func (c *core) deliver(jobs []webhookJob) {
	for _, j := range jobs {
		d := WebhookDelivery{URL: j.url, ContentType: j.ctype, Body: j.body, ImpUID: j.impUID,
			MerchantUID: j.merchantUID, Status: j.status, At: j.at}
		c.mu.Lock()
		lost, lostStatus := c.lose(j)
		c.mu.Unlock()
		if lost {
			lostDelivery(&d, lostStatus)
		} else {
			code, err := c.post(j)
			d.StatusCode = code
			switch {
			case err != nil:
				d.Err = err.Error()
			case code < 200 || code > 299:
				d.Err = fmt.Sprintf("receiver answered %d %s", code, http.StatusText(code))
			}
		}
		c.mu.Lock()
		c.webhooks = append(c.webhooks, d)
		c.mu.Unlock()
	}
}

func (c *core) post(j webhookJob) (int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(j.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", j.ctype)
	req.Header.Set("User-Agent", "iamporttest-webhook")
	resp, err := c.cfg.webhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// Webhooks returns every webhook the fake sent, in order (copies).
func (s *Server) Webhooks() []WebhookDelivery {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]WebhookDelivery, len(c.webhooks))
	for i, d := range c.webhooks {
		d.Body = append([]byte(nil), d.Body...)
		out[i] = d
	}
	return out
}
