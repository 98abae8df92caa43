// Package iamporttest is an offline fake of the iamport (PortOne V1) REST
// API, for testing code that takes payments with package iamport without
// reaching api.iamport.kr. It is modelled on net/http/httptest:
//
//	srv := iamporttest.NewServer() // or NewInProcess(): no socket at all
//	defer srv.Close()
//	client := srv.Client()         // an *iamport.Client pointed at the fake
//
//	p, err := client.Onetime(ctx, &iamport.OnetimeRequest{
//		MerchantUID: "order-1", Amount: 9900,
//		CardNumber: iamporttest.CardApproved, Expiry: "2030-12",
//	})
//
// The fake answers like the real API: the {code, message, response}
// envelope, the same HTTP statuses (200 with code != 0 for refused writes,
// 207 for partial multi-gets, 400, 401, 404, 405), the Korean messages the
// live API sends, and the same JSON (Unix-second timestamps with 0 for "not
// happened", card_type 0/1/null, null for unset strings, imp_uid and
// payment_status null in pending schedules). Request bodies may be JSON or
// form-encoded (PHP-style keys such as schedules[0][merchant_uid]); a
// malformed request gets the API's 400, never a crash.
//
// # What it models
//
//   - Tokens: POST /users/getToken issues 30-minute tokens on the fake clock,
//     returns the same token while it is valid, extends it by five minutes
//     when asked in its last minute, and issues a new one after expiry. Every
//     other endpoint answers 401 to a missing, unknown or expired token.
//   - Billing keys, onetime and again payments, with declines on demand (see
//     the test cards and DeclineCharges). A merchant_uid that was paid is
//     refused; one whose attempts failed may be paid again.
//   - Lookups (by imp_uid, by merchant_uid, by status, multi-get), cancels
//     with checksum and cancel history, prepare, and the balance breakdown
//     (which the real API answers only for PAYCO payments; the fake answers
//     it for every payment).
//   - The documented limits: field lengths, 100 IDs per multi-get, page
//     sizes of 1 to 1000, a 90-day status window, a 3-month schedule window,
//     and installments (card_quota of 2 or more) only from 50,000 KRW.
//   - Schedules: they run when the clock passes schedule_at, and the result
//     is POSTed to the webhook URL.
//   - Virtual accounts: POST /vbanks issues a payment in status ready (bank
//     from the standard code table, a generated account number); Deposit
//     pays into it and sends the paid webhook; PUT changes its amount or
//     deadline and DELETE revokes it while it waits. GET /vbanks/holder
//     answers for the accounts AddBankAccount registered.
//   - Cash receipts: issued for paid virtual-account or transfer payments
//     (one live receipt per payment, for its balance) and for outside cash
//     sales by merchant_uid, and cancelled.
//   - Identity verification: POST /certifications/otp/request checks the
//     person's data and starts a verification that TestOTP confirms (a wrong
//     code is refused with 400); the result has a CI and DI derived from the
//     person, and can be read and deleted.
//   - Escrow shipping: stored per paid payment (409 for a second
//     registration, or a read or change of none).
//   - Codes and account: the standard bank and card code tables, one PG
//     setting, the tiers AddTier registered, and partner receipts whose
//     shares may not exceed the payment.
//   - NaverPay (/payments/{imp_uid}/naver/*, /naver/product-orders/{id},
//     /naver/reviews): NaverPayment makes a paid payment of product orders,
//     which are placed, shipped, cancelled (refunding their amount from the
//     payment), returned, withheld, exchanged as NaverPay's states allow;
//     NaverBuyerClaim plays the buyer's cancel or exchange request;
//     AddNaverReview stores reviews.
//   - KCP Quick (/kcpquick/*): members (AddKcpQuickMember), autopay keys
//     (AddKcpQuickAutopayKey), prepared transactions, and prepaid-money
//     payments of a PIN check (KcpQuickPinCheck).
//   - PAYCO order statuses (CANCELED refunds), Paymentwall deliveries
//     (refusals in the response, as Paymentwall sends them), Benepia
//     accounts with points (SetBenepiaAccount), and convenience-store
//     numbers issued as ready payments, revoked, and paid with PayCVS.
//
// Approved payments (and scheduled runs and retries, paid or failed, and
// cancels with enable_webhook, which add "cancellation_id") send a webhook
// {"imp_uid", "merchant_uid", "status"} to
// the request's notice_url or to the console URL set with WithWebhookURL —
// JSON, or form-encoded with WithWebhookForm. Webhooks are sent
// synchronously, once, after the fake's lock is released (a receiver may
// call the fake back to verify the payment), and recorded in Webhooks.
// They come from loopback: a receiver built with iamport.WebhookHandler and
// iamport.WithAllowedSources answers them 403 unless it also has
// iamport.WithLoopbackSources.
//
// LoseWebhooks and WithWebhookLossRate make the fake lose deliveries, as a
// deploy or a network blip does, so a test can check that its sweep
// (iamport.Sweeper) recovers them; LostWebhooks lists what was lost.
//
// Every payment but those of the PG-specific endpoints above is a card
// payment ("card", channel "api", pg_provider "nice"), or a virtual account
// ("vbank"), with an imp_uid of the form "imp_" + 12 digits. Super billing
// keys (channel groups) are not modelled.
//
// # Endpoints
//
// POST /users/getToken; GET /payments, /payments/{imp_uid},
// /payments/{imp_uid}/balance, /payments/find/{merchant_uid}[/{payment_status}],
// /payments/findAll/{merchant_uid}[/{payment_status}],
// /payments/status/{payment_status}; POST /payments/cancel; POST, PUT
// /payments/prepare and GET /payments/prepare/{merchant_uid};
// POST /subscribe/payments/onetime, /subscribe/payments/again,
// /subscribe/payments/schedule, /subscribe/payments/unschedule; GET
// /subscribe/payments/schedule, /subscribe/payments/schedule/{merchant_uid}
// (and PUT), POST .../{merchant_uid}/reschedule and .../retry, GET
// /subscribe/payments/schedule/customers/{customer_uid}; GET
// /subscribe/customers, GET, POST, DELETE /subscribe/customers/{customer_uid},
// GET /subscribe/customers/{customer_uid}/payments and .../schedules;
// POST /vbanks, PUT and DELETE /vbanks/{imp_uid}, GET /vbanks/holder; GET,
// POST, DELETE /receipts/{imp_uid} and /receipts/external/{merchant_uid};
// POST /certifications/otp/request, /certifications/otp/confirm/{imp_uid},
// GET and DELETE /certifications/{imp_uid}; GET, POST, PUT
// /escrows/logis/{imp_uid}; GET /banks, /banks/{bank_standard_code}, /cards,
// /cards/{card_standard_code}; GET /users/pg, /tiers/{tier_code}; POST
// /partners/receipts/{imp_uid}; the NaverPay (/payments/{imp_uid}/naver/*,
// /naver/*), KCP Quick (/kcpquick/*), PAYCO (/payco/orders/status/{imp_uid}),
// Paymentwall (/paymentwall/delivery), Benepia (/benepia/*) and
// convenience-store (/cvs, /cvs/{imp_uid}) endpoints.
//
// The command cmd/iamportfake runs the fake as a standalone server, with an
// admin API for its clock, faults and records.
//
// # The clock
//
// The fake has its own clock, which starts at WithStartTime (default
// time.Now()) and moves only when Advance or SetTime moves it, so tests are
// deterministic. Token expiry and schedules follow it. The SDK fetches its
// token before it judges a schedule_at or a card's expiry month, and judges
// them on the server clock that token answer shows: this clock, however far
// from the real time it is set.
//
// # Test cards
//
// CardApproved and any other card number with 14 to 19 digits are approved;
// CardDeclinedLimit, CardDeclinedSuspended and CardDeclinedFunds decline with
// their fail_reason; CardRejected is refused with code -1. A billing key
// issued from a declining card declines on every charge. DeclineCharges makes
// the next charges of one billing key decline. Expired or malformed card data
// is refused with code -1, as a PG would.
//
// # What the fake refuses
//
// It refuses what iamport refuses, with iamport's messages: a KRW or JPY
// amount with a fraction ("원화(KRW) 결제금액은 정수여야 합니다.", and for a
// refund "취소금액은 정수여야 합니다."), an expired card, a reused paid
// merchant_uid, a merchant_uid over 40 characters, codes (pg, channel_key)
// over their documented length. The card, expiry, amount, currency and
// length rules are the same table the SDK checks requests with before
// sending, so the two agree. Descriptive text (name, buyer_*,
// customer_*, custom_data, reasons, refund details) is accepted at any
// length, as iamport accepts it; PGs may truncate it.
//
// # Faults
//
// InjectFault makes the next requests to an endpoint fail the ways networks
// and proxies fail: refused connections, dropped connections before or after
// the request was processed, HTML 5xx pages, truncated JSON, delays and
// 401s (see FaultKind). The "after processing" kinds are the ones a client
// must not answer by blindly re-sending a payment. Calls counts the requests
// each endpoint saw, so a test can assert that a payment was sent once.
//
// # A slow, eventually consistent, concurrent PG
//
// By default the fake answers at once and lookups see every change
// immediately. A real PG does neither, and code that handles money must
// survive that:
//
//   - WithLatency gives writes (charges, cancels, schedules, unschedules,
//     billing-key saves) a processing time. The processing is detached from
//     the request: when the client times out, the gateway answers 504 or the
//     connection is reset, the charge or refund still completes later.
//     Charges and cancels are checked on arrival and completed after the
//     latency, so two charges of one merchant_uid that race both charge
//     (iamport refuses a merchant_uid only once it is paid), and two cancels
//     with the same checksum that race both refund. A charge in processing is
//     invisible to lookups, or shows as ready with WithPendingVisible.
//   - WithLookupLag makes lookups (payments by imp_uid or merchant_uid, lists,
//     schedules, cancel history) show the state as it was a while ago.
//   - The Drop and Status faults take a Delay (a gateway's 504 or 408, or a
//     reset after a long wait, before or after processing), and
//     FaultStatusWhileProcessing and FaultDropWhileProcessing lose the answer
//     while the request is still processing.
//   - SetFaultFunc decides faults request by request (for randomized tests),
//     Fault.Latency sets one request's processing time, and Await waits until
//     the processing of given orders is over, before a test inspects them.
//
// Latency and lag are real time, not the fake clock, because the client
// timeouts they exercise are real time: keep them small in tests (tens to
// hundreds of milliseconds) and the client's timeouts just above or below
// them. The fake clock stands still while a request is processed. Requests
// run concurrently; the state is guarded by one lock held only while a
// request is checked or committed.
//
// # Inspection
//
// Payments, BillingKeys, Schedules and Webhooks return copies of the fake's
// current state, without lookup lag (a charge still processing shows as
// ready); the fake never stores cash receipt identifiers or escrow senders
// and receivers, nor card numbers (only the masked form), expiry
// dates, birth dates or PIN digits, and a Server prints without its secret.
package iamporttest
