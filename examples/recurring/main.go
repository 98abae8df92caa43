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
//     refused by iamport and changes nothing;
//   - sweep every few minutes (Sweeper): iamport V1 sends a webhook once,
//     unless re-delivery is enabled for the account, so a webhook lost in a
//     deploy or a network blip would end the subscription silently. The
//     sweep lists the schedules that ran in the last 48 hours and handles
//     each one through the same code as its webhook.
//
// Without configuration it runs against a fake iamport server (iamporttest)
// on a simulated clock: three monthly cycles, the second declined once and
// paid on its retry, whose webhook is lost and recovered by the sweep; then
// every webhook is delivered a second time, on purpose, and nothing changes.
//
// With IAMPORT_API_KEY and IAMPORT_API_SECRET it runs against the real API:
// it schedules the first cycle, serves the webhook endpoint and sweeps
// every five minutes until interrupted. This charges a real card.
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

func rowKey(p *iamport.Payment) string { return p.ImpUID + "/" + string(p.Status) }

// recordOnce inserts r unless a row with its key exists, like INSERT ... ON
// CONFLICT DO NOTHING.
func (s *store) recordOnce(r record) {
	key := rowKey(&r.Payment)
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

// billing is everything a merchant does when iamport reports a scheduled
// payment, whether the webhook brought it or the sweep found it.
type billing struct {
	plan *iamport.Plan // in a real shop: one of many, looked up in the database
	db   *store
	log  *log.Logger
}

// plans is the Sweeper's PlanLookup: the plans billed on a batch of billing
// keys. A real shop answers it with one query (WHERE customer_uid IN ...).
func (b *billing) plans(_ context.Context, customerUIDs []string) (map[string][]*iamport.Plan, error) {
	out := map[string][]*iamport.Plan{}
	for _, u := range customerUIDs {
		if u == b.plan.CustomerUID {
			out[u] = []*iamport.Plan{b.plan}
		}
	}
	return out, nil
}

// onPayment receives payments already verified: fetched from the API by
// imp_uid and checked against their schedule's merchant_uid. It must be safe
// to run twice for the same payment, even at the same time: the webhook and
// the sweep both bring it, and so does a re-delivery. After it returns nil,
// the Sweeper schedules the follow-up (next month, or a retry), which is also
// safe to repeat: its merchant_uid is fixed, and iamport refuses to schedule
// it twice.
func (b *billing) onPayment(_ context.Context, plan *iamport.Plan, p *iamport.Payment) error {
	cycle, attempt, err := plan.ParseMerchantUID(p.MerchantUID)
	if err != nil {
		return err // the Sweeper only hands over the plan's own payments
	}
	if p.Paid() && !p.Amount.Equal(plan.Amount) {
		// Verified, but not what the plan costs: never count it as paid.
		b.log.Printf("payment %s of %s paid %s, plan costs %s: flagged for review", p.ImpUID, p.MerchantUID, p.Amount, plan.Amount)
		return iamport.ErrSkipFollowUp
	}
	b.db.recordOnce(record{Cycle: cycle, Attempt: attempt, Payment: *p})
	// A real shop also returns iamport.ErrSkipFollowUp here when the
	// customer has cancelled the subscription, instead of billing another
	// month.
	return nil
}

// onExhausted is called when a cycle failed on its last retry.
func (b *billing) onExhausted(_ context.Context, plan *iamport.Plan, p *iamport.Payment) error {
	b.db.suspend(plan.CustomerUID, p.FailReason)
	return nil
}

func (b *billing) sweeper(client *iamport.Client) *iamport.Sweeper {
	return &iamport.Sweeper{Client: client, Plans: b.plans, OnPayment: b.onPayment, OnExhausted: b.onExhausted}
}

// failReasons glosses the fail reasons the card companies send, in Korean.
var failReasons = map[string]string{
	"한도초과":      "over the card's limit",
	"잔액이 부족합니다": "insufficient funds",
	"정지된 카드입니다": "the card is suspended",
}

func gloss(reason string) string {
	if reason == "" {
		return "-"
	}
	if en, ok := failReasons[reason]; ok {
		return reason + " (" + en + ")"
	}
	return reason
}

// runFake runs three monthly cycles against a fake iamport server on a
// simulated clock: the second is declined once and paid on its retry, and
// the retry's webhook is lost and recovered by the sweep.
func runFake(ctx context.Context, out io.Writer) error {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		seoul = time.FixedZone("KST", 9*60*60)
	}
	startAt := time.Date(2030, 1, 20, 9, 0, 0, 0, seoul)
	fmt.Fprintf(out, "Running against the built-in fake iamport server (iamporttest) on a simulated clock\n"+
		"starting %s: no card is charged, and three months pass in a moment.\n"+
		"Set IAMPORT_API_KEY and IAMPORT_API_SECRET to run against the real API.\n\n", startAt.Format("2006-01-02 15:04 MST"))

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
		iamporttest.WithStartTime(startAt),
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
	b := &billing{plan: plan, db: db, log: log.New(out, "", 0)}
	sw := b.sweeper(client)
	mux.Handle(webhookPath, sw.WebhookHandler())
	when := func(t time.Time) string { return t.In(seoul).Format("2006-01-02 15:04") }

	// The customer registers a card, and the first month is scheduled.
	if _, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: plan.CustomerUID, CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00",
	}); err != nil {
		return err
	}
	if _, err := client.ScheduleCycle(ctx, plan, 1); err != nil {
		return err
	}

	// Month 1 pays. Month 2: the card is over its limit; the retry a day
	// later pays, but its webhook is lost.
	srv.Advance(plan.BillingTime(1).Add(time.Hour).Sub(srv.Now()))
	if err := narrate(ctx, out, srv, client, plan, 1, 0, when); err != nil {
		return err
	}
	srv.DeclineCharges(plan.CustomerUID, 1, "한도초과")
	srv.Advance(plan.BillingTime(2).Add(time.Hour).Sub(srv.Now()))
	if err := narrate(ctx, out, srv, client, plan, 2, 0, when); err != nil {
		return err
	}
	retry := plan.MerchantUID(2, 1)
	srv.LoseWebhooks(iamporttest.WebhookLoss{Next: 1})
	if _, err := client.GetSchedule(ctx, retry); err != nil {
		return fmt.Errorf("the retry of cycle 2 was not scheduled: %w", err)
	}
	srv.Advance(24 * time.Hour)
	for _, d := range srv.LostWebhooks() {
		fmt.Fprintf(out, "%s  the webhook for %s (%s) was lost on its way, as one sent during a\n"+
			"                  deploy would be; iamport V1 sends each webhook once unless re-delivery is enabled.\n", when(d.At), d.MerchantUID, d.Status)
	}
	if _, err := client.GetSchedule(ctx, plan.MerchantUID(3, 0)); errors.Is(err, iamport.ErrNotFound) {
		fmt.Fprintf(out, "%s  so month 3 is not scheduled: without a sweep the subscription would end here.\n", when(srv.Now()))
	}

	// The sweep, which a real shop runs every few minutes.
	fmt.Fprintf(out, "%s  sweep: looking at the schedules that ran in the last 48 hours\n", when(srv.Now()))
	recovered := false
	for r, err := range sw.Sweep(ctx) {
		if r == nil {
			return err
		}
		line := fmt.Sprintf("%s %s", r.Schedule.MerchantUID, r.Schedule.PaymentStatus)
		switch {
		case r.Err != nil:
			line += ": " + r.Err.Error()
		case r.Next != nil && r.Payment.Paid():
			recovered = true
			next, _, _ := r.Plan.ParseMerchantUID(r.Next.MerchantUID)
			line += fmt.Sprintf(" → recorded; month %d scheduled for %s (%s)", next, when(r.Next.ScheduleAt.Time), r.Next.MerchantUID)
		case r.Next != nil:
			line += fmt.Sprintf(" → its webhook arrived: the retry %s already exists", r.Next.MerchantUID)
		case r.Outcome == iamport.SweepFinished && r.Payment != nil && !r.Payment.Paid():
			line += " → its cycle has been paid since: no retry to book"
		default:
			line += " → " + string(r.Outcome)
		}
		fmt.Fprintf(out, "                  %s\n", line)
	}
	if recovered {
		fmt.Fprintf(out, "                  the lost webhook is recovered, and the subscription goes on.\n")
	}

	// Month 3 pays.
	srv.Advance(plan.BillingTime(3).Add(8 * 24 * time.Hour).Sub(srv.Now()))
	if err := narrate(ctx, out, srv, client, plan, 3, 0, when); err != nil {
		return err
	}

	// Every webhook that arrived is delivered again, on purpose, as
	// iamport's re-delivery or a resend from the console would: nothing
	// changes.
	delivered := 0
	for _, d := range srv.Webhooks() {
		if d.Lost {
			continue
		}
		delivered++
		resp, err := http.Post(d.URL, d.ContentType, strings.NewReader(string(d.Body)))
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	fmt.Fprintf(out, "\nEach of the %d webhooks that arrived was then delivered a second time, on purpose,\n"+
		"as iamport's re-delivery or a console resend would: nothing was recorded or charged twice.\n\n", delivered)

	return printTable(ctx, out, client, db, seoul)
}

// narrate prints what iamport did with one scheduled payment of the plan
// (cycle, attempt) and what the webhook handler scheduled after it.
func narrate(ctx context.Context, out io.Writer, srv *iamporttest.Server, client *iamport.Client, plan *iamport.Plan, cycle, attempt int, when func(time.Time) string) error {
	s, err := client.GetSchedule(ctx, plan.MerchantUID(cycle, attempt))
	if err != nil {
		return err
	}
	what := fmt.Sprintf("month %d (%s) %s, imp_uid %s", cycle, s.MerchantUID, s.PaymentStatus, s.ImpUID)
	nextCycle, nextAttempt, label := cycle+1, 0, fmt.Sprintf("month %d", cycle+1)
	if s.PaymentStatus == iamport.PaymentStatusFailed {
		what = fmt.Sprintf("month %d (%s) declined: %s, imp_uid %s", cycle, s.MerchantUID, gloss(s.FailReason), s.ImpUID)
		nextCycle, nextAttempt, label = cycle, attempt+1, fmt.Sprintf("retry %d of month %d", attempt+1, cycle)
	}
	fmt.Fprintf(out, "%s  %s;\n", when(s.ScheduleAt.Time), what)
	if !webhookArrived(srv, s.MerchantUID) {
		return fmt.Errorf("the webhook for %s did not reach the handler", s.MerchantUID)
	}
	if plan.Cycles > 0 && nextCycle > plan.Cycles {
		fmt.Fprintf(out, "                  its webhook arrived; the plan has %d cycles, so nothing more is scheduled.\n", plan.Cycles)
		return nil
	}
	next, err := client.GetSchedule(ctx, plan.MerchantUID(nextCycle, nextAttempt))
	if err != nil {
		return fmt.Errorf("after %s: %w", s.MerchantUID, err)
	}
	fmt.Fprintf(out, "                  its webhook arrived, and %s was scheduled for %s (%s).\n", label, when(next.ScheduleAt.Time), next.MerchantUID)
	return nil
}

// webhookArrived reports whether the handler answered 200 to a webhook for
// merchantUID.
func webhookArrived(srv *iamporttest.Server, merchantUID string) bool {
	for _, d := range srv.Webhooks() {
		if d.MerchantUID == merchantUID && !d.Lost && d.StatusCode == http.StatusOK {
			return true
		}
	}
	return false
}

func printTable(ctx context.Context, out io.Writer, client *iamport.Client, db *store, loc *time.Location) error {
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
	fmt.Fprintln(tw, "cycle\tmerchant_uid\timp_uid\tscheduled (KST)\tstatus\tamount\tfail reason")
	for _, r := range rows {
		s, err := client.GetSchedule(ctx, r.Payment.MerchantUID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s %s\t%s\n", r.Cycle, r.Payment.MerchantUID, r.Payment.ImpUID,
			s.ScheduleAt.In(loc).Format("2006-01-02 15:04"), r.Payment.Status, r.Payment.Amount, r.Payment.Currency, gloss(r.Payment.FailReason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d payments recorded, one per imp_uid and status.\n"+
		"A merchant_uid ending in -r1 is the first retry of its cycle: the plan retries a declined\n"+
		"cycle 1, 3 and 7 days after its billing time; c2-r1 paid, so no later retry was scheduled.\n", len(rows))
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
	b := &billing{plan: plan, db: newStore(), log: log.New(out, "", log.LstdFlags)}
	sw := b.sweeper(client)
	mux := http.NewServeMux()
	mux.Handle(webhookPath, sw.WebhookHandler(opts...))
	hs := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	s, err := client.ScheduleCycle(ctx, plan, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "scheduled %s: %s KRW at %s; serving %s on %s\n",
		s.MerchantUID, s.Amount, s.ScheduleAt.In(seoul).Format("2006-01-02 15:04 MST"), webhookPath, listen)

	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	// The sweep catches up on webhooks that never arrived.
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return err
		case <-tick.C:
			if report, err := sw.Run(ctx); err != nil {
				b.log.Printf("sweep: %v (%s)", err, report)
			}
		case <-ctx.Done():
			shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return hs.Shutdown(shutdown)
		}
	}
}
