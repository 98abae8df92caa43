// Command recurring bills a customer every month through iamport's scheduled
// payments, the way iamport's recurring-payment guide describes, with the
// holes of the usual hand-written version closed:
//
//   - schedule the first month (ScheduleCycle);
//   - receive the webhook when iamport charges it (WebhookHandler), and
//     trust only the payment fetched from the API, never the webhook body;
//   - check the payment against the plan (its merchant_uid and amount) and
//     record it once per (imp_uid, status), so a webhook delivered twice is
//     recorded once;
//   - schedule the next month on the calendar, not by adding seconds
//     (ScheduleFollowUp), or, when the charge failed, a retry 1, 3 and 7
//     days later, then give up; scheduling the same follow-up twice is
//     refused by iamport and changes nothing.
//
// Without configuration it runs against an in-process fake iamport server
// (iamporttest): three monthly cycles, the second declined once and paid on
// its retry, and prints what happened.
//
// With IAMPORT_API_KEY and IAMPORT_API_SECRET it runs against the real API:
// it schedules the first cycle and serves the webhook endpoint until
// interrupted. This charges a real card.
//
// Environment (real API only):
//
//	IAMPORT_API_KEY          REST API key (console: 결제 연동 › 식별코드・API Keys › V1 API)
//	IAMPORT_API_SECRET       REST API secret
//	IAMPORT_CUSTOMER_UID     the billing key (customer_uid) to charge; required
//	IAMPORT_WEBHOOK_URL      public URL of this program's webhook endpoint, sent as
//	                         each schedule's notice_url; empty: the console's URL
//	IAMPORT_LISTEN           address to serve the webhook endpoint on (default ":8080");
//	                         the endpoint's path is /iamport/webhook
//	IAMPORT_AMOUNT           amount in KRW charged each month (default 1000)
//	IAMPORT_TRUSTED_PROXIES  comma-separated addresses or CIDRs of your reverse proxies,
//	                         whose X-Forwarded-For header is then trusted
//	IAMPORT_SANDBOX          "1" if the account's channel is a test channel
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

const webhookPath = "/iamport/webhook"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	if getenv("IAMPORT_API_KEY") == "" && getenv("IAMPORT_API_SECRET") == "" {
		return runFake(ctx, out)
	}
	return runLive(ctx, out, getenv)
}

// record is one verified payment as the merchant stores it.
type record struct {
	Cycle, Attempt int
	Payment        iamport.Payment
}

// store stands in for the merchant's database. Its key is unique on
// (imp_uid, status), like a unique index: a webhook delivered twice is
// recorded once, and a later cancellation of the same payment is a new row.
type store struct {
	mu        sync.Mutex
	rows      map[string]record
	order     []string
	suspended map[string]string // customer_uid → why
}

func newStore() *store {
	return &store{rows: map[string]record{}, suspended: map[string]string{}}
}

// recordOnce inserts r unless a row with its key exists, like INSERT ... ON
// CONFLICT DO NOTHING.
func (s *store) recordOnce(r record) {
	key := r.Payment.ImpUID + "/" + string(r.Payment.Status)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.rows[key]; dup {
		return
	}
	s.rows[key] = r
	s.order = append(s.order, key)
}

func (s *store) suspend(customerUID, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suspended[customerUID] = why
}

// billing is the webhook callback: everything a merchant does when iamport
// reports a scheduled payment.
type billing struct {
	client *iamport.Client
	plan   *iamport.Plan // in a real shop: looked up by p.CustomerUID
	db     *store
	log    *log.Logger
}

// onPayment receives payments already verified by WebhookHandler: fetched
// from the API by imp_uid, with the merchant_uid the webhook named. It must
// be safe to run twice for the same payment, even at the same time.
func (b *billing) onPayment(ctx context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
	cycle, attempt, err := b.plan.ParseMerchantUID(p.MerchantUID)
	if err != nil {
		return nil // not a subscription payment: another handler's business
	}
	if p.Paid() && !p.Amount.Equal(b.plan.Amount) {
		// Verified, but not what the plan costs: never count it as paid.
		b.log.Printf("payment %s of %s paid %s, plan costs %s: flagged for review", p.ImpUID, p.MerchantUID, p.Amount, b.plan.Amount)
		return nil
	}
	b.db.recordOnce(record{Cycle: cycle, Attempt: attempt, Payment: *p})
	// A real shop also stops here when the customer has cancelled the
	// subscription in the meantime, instead of scheduling another month.

	// Paid: schedule next month. Failed: schedule a retry. Both are safe to
	// repeat: the merchant_uid of a follow-up is fixed, and iamport refuses
	// to schedule it twice.
	_, err = b.client.ScheduleFollowUp(ctx, b.plan, p)
	switch {
	case errors.Is(err, iamport.ErrRetriesExhausted):
		b.db.suspend(b.plan.CustomerUID, p.FailReason)
		return nil
	case errors.Is(err, iamport.ErrNoFollowUp):
		return nil // the plan's last cycle, or a cancellation
	}
	return err // a failure answers 500, so that a re-delivery tries again
}

// runFake runs three monthly cycles against an in-process fake, the second
// declined once.
func runFake(ctx context.Context, out io.Writer) error {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		seoul = time.FixedZone("KST", 9*60*60)
	}

	// The merchant's webhook endpoint, on a loopback port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	srv := iamporttest.NewServer(
		iamporttest.WithStartTime(time.Date(2030, 1, 20, 9, 0, 0, 0, seoul)),
		iamporttest.WithWebhookURL("http://"+ln.Addr().String()+webhookPath),
	)
	defer srv.Close()
	client := srv.Client()

	plan := &iamport.Plan{
		CustomerUID: "gildong_0001_1234",
		Amount:      8900,
		Name:        "Recurring payment for monthly subscription",
		Anchor:      time.Date(2030, 1, 31, 10, 0, 0, 0, seoul), // bills on the 31st, or the month's last day
		Location:    seoul,
		Cycles:      3,
	}
	db := newStore()
	b := &billing{client: client, plan: plan, db: db, log: log.New(out, "", 0)}
	mux.Handle(webhookPath, iamport.WebhookHandler(client, b.onPayment))

	// The customer registers a card, and the first month is scheduled.
	if _, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: plan.CustomerUID, CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00",
	}); err != nil {
		return err
	}
	if _, err := client.ScheduleCycle(ctx, plan, 1); err != nil {
		return err
	}

	// Three months go by; the card is over its limit on the second.
	for cycle := 1; cycle <= plan.Cycles; cycle++ {
		if cycle == 2 {
			srv.DeclineCharges(plan.CustomerUID, 1, "한도초과")
		}
		srv.Advance(plan.BillingTime(cycle).Add(8 * 24 * time.Hour).Sub(srv.Now()))
	}
	// iamport delivers a webhook again now and then: nothing changes.
	for _, d := range srv.Webhooks() {
		resp, err := http.Post(d.URL, d.ContentType, strings.NewReader(string(d.Body)))
		if err != nil {
			return err
		}
		resp.Body.Close()
	}

	return printTable(ctx, out, client, db, seoul, len(srv.Webhooks()))
}

func printTable(ctx context.Context, out io.Writer, client *iamport.Client, db *store, loc *time.Location, webhooks int) error {
	db.mu.Lock()
	rows := make([]record, 0, len(db.order))
	for _, k := range db.order {
		rows = append(rows, db.rows[k])
	}
	db.mu.Unlock()
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Cycle != rows[j].Cycle {
			return rows[i].Cycle < rows[j].Cycle
		}
		return rows[i].Attempt < rows[j].Attempt
	})

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cycle\tmerchant_uid\tscheduled (KST)\tstatus\tamount\tfail reason")
	for _, r := range rows {
		s, err := client.GetSchedule(ctx, r.Payment.MerchantUID)
		if err != nil {
			return err
		}
		reason := r.Payment.FailReason
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", r.Cycle, r.Payment.MerchantUID,
			s.ScheduleAt.In(loc).Format("2006-01-02 15:04"), r.Payment.Status, r.Payment.Amount, r.Payment.Currency, reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d webhooks, each delivered twice; %d payments recorded\n", webhooks, len(rows))
	return nil
}

// runLive schedules the first cycle on the real API and serves the webhook
// endpoint until ctx ends.
func runLive(ctx context.Context, out io.Writer, getenv func(string) string) error {
	key, secret := getenv("IAMPORT_API_KEY"), getenv("IAMPORT_API_SECRET")
	customerUID := getenv("IAMPORT_CUSTOMER_UID")
	if key == "" || secret == "" || customerUID == "" {
		return errors.New("IAMPORT_API_KEY, IAMPORT_API_SECRET and IAMPORT_CUSTOMER_UID are all required for the real API")
	}
	amount := iamport.Amount(1000)
	if v := getenv("IAMPORT_AMOUNT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("IAMPORT_AMOUNT must be a positive whole number of won")
		}
		amount = iamport.Amount(n)
	}
	listen := getenv("IAMPORT_LISTEN")
	if listen == "" {
		listen = ":8080"
	}
	client, err := iamport.New(key, secret)
	if err != nil {
		return err
	}

	// The first month bills tomorrow at 10:00 Seoul time; every month after
	// on the same day of the month (or its last day) at 10:00.
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		seoul = time.FixedZone("KST", 9*60*60)
	}
	now := time.Now().In(seoul)
	plan := &iamport.Plan{
		CustomerUID: customerUID,
		Amount:      amount,
		Name:        "Recurring payment for monthly subscription",
		Anchor:      time.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, seoul),
		Location:    seoul,
		NoticeURL:   getenv("IAMPORT_WEBHOOK_URL"),
	}
	if err := plan.Validate(); err != nil {
		return err
	}

	opts := []iamport.WebhookOption{iamport.WithAllowedSources(iamport.WebhookSourceIPs...)}
	if v := getenv("IAMPORT_TRUSTED_PROXIES"); v != "" {
		opts = append(opts, iamport.WithTrustedProxies(strings.Split(v, ",")...))
	}
	if getenv("IAMPORT_SANDBOX") == "1" {
		opts = append(opts, iamport.WithSandboxPayments())
	}
	b := &billing{client: client, plan: plan, db: newStore(), log: log.New(out, "", log.LstdFlags)}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, iamport.WebhookHandler(client, b.onPayment, opts...))
	hs := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	s, err := client.ScheduleCycle(ctx, plan, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "scheduled %s: %s KRW at %s; serving %s on %s\n",
		s.MerchantUID, s.Amount, s.ScheduleAt.In(seoul).Format("2006-01-02 15:04 MST"), webhookPath, listen)

	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return hs.Shutdown(shutdown)
	}
}
