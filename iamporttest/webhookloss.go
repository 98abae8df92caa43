package iamporttest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// WebhookLoss describes webhooks the fake loses, as a real deployment loses
// them: iamport V1 sends each webhook once (unless re-delivery is enabled for
// the account), so a notification that arrives during a deploy, a network
// blip or an outage of the merchant's load balancer is gone. A lost delivery
// never reaches the receiver; it is recorded in Webhooks with Lost set, and
// in LostWebhooks.
type WebhookLoss struct {
	// URL limits the loss to deliveries to this URL; empty means every URL.
	URL string
	// Next is how many matching deliveries are lost; 0 means every one,
	// until ClearWebhookLoss.
	Next int
	// Status is the answer a lost delivery is recorded with, as if a proxy in
	// front of the receiver had answered it (502, 503, 504, ...); 0 means the
	// request was lost on the network, with no answer at all.
	Status int
}

// lossRule is a WebhookLoss being applied.
type lossRule struct {
	WebhookLoss
	left int // deliveries still to lose; -1 for every one
}

// LoseWebhooks makes the fake lose webhook deliveries as l describes. Rules
// add up: a delivery is lost by the first rule that matches it, oldest
// first, and a rule with Next > 0 ends once it has lost that many.
func (s *Server) LoseWebhooks(l WebhookLoss) {
	left := l.Next
	if left <= 0 {
		left = -1
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.losses = append(c.losses, &lossRule{WebhookLoss: l, left: left})
}

// ClearWebhookLoss ends every LoseWebhooks rule. A loss rate set with
// WithWebhookLossRate stays.
func (s *Server) ClearWebhookLoss() {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.losses = nil
}

// WithWebhookLossRate makes the fake lose each webhook delivery with
// probability rate (0 to 1), drawn from a generator seeded with seed, so a
// test that loses webhooks at random loses the same ones on every run that
// makes the same deliveries in the same order. Lost deliveries are recorded
// with no answer (StatusCode 0).
func WithWebhookLossRate(rate float64, seed uint64) Option {
	return func(c *config) {
		c.lossRate = min(max(rate, 0), 1)
		c.lossSeed = seed
	}
}

// LostWebhooks returns the deliveries the fake lost, in order (copies).
func (s *Server) LostWebhooks() []WebhookDelivery {
	var out []WebhookDelivery
	for _, d := range s.Webhooks() {
		if d.Lost {
			out = append(out, d)
		}
	}
	return out
}

// lose decides whether the delivery j is lost and, if so, with what answer.
// Call with mu held.
func (c *core) lose(j webhookJob) (lost bool, status int) {
	for i, r := range c.losses {
		if r.URL != "" && r.URL != j.url {
			continue
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				c.losses = append(c.losses[:i:i], c.losses[i+1:]...)
			}
		}
		return true, r.Status
	}
	if c.cfg.lossRate > 0 {
		if c.lossRand == nil {
			c.lossRand = rand.New(rand.NewPCG(c.cfg.lossSeed, 0x1a2b3c4d))
		}
		if c.lossRand.Float64() < c.cfg.lossRate {
			return true, 0
		}
	}
	return false, 0
}

// lostDelivery fills in d for a delivery lost with the answer status.
func lostDelivery(d *WebhookDelivery, status int) {
	d.Lost = true
	d.StatusCode = status
	if status == 0 {
		d.Err = "lost: never reached the receiver"
		return
	}
	d.Err = fmt.Sprintf("lost: answered %d %s before reaching the receiver", status, http.StatusText(status))
}
