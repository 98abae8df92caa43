// Package iamport is a client for the iamport (PortOne V1) REST API: key-in
// card payments, billing keys charged again later, scheduled payments, payment
// lookups and refunds, and the webhooks that report them.
//
// A [Client] is built once with [New] and is safe for concurrent use. It
// fetches, caches and refreshes the access token itself, decodes every answer
// into typed structs, and turns every failure into a typed error (see
// Errors). A nil error from a call that moves money means the money moved,
// exactly once, as reported.
//
// The headings below are a map by task; each names the calls to use. Every
// method's doc names its HTTP method and path. [Example] is the whole
// billing-key flow.
//
// # Charge a card once
//
// [Client.Onetime] charges a card by its number (a key-in payment, POST
// /subscribe/payments/onetime); set [OnetimeRequest].CustomerUID to also keep
// the card as a billing key. A declined card returns the failed [Payment]
// with a [*DeclinedError].
//
// # Save a card and charge it again
//
// [Client.SaveBillingKey] stores a card as a billing key under a customer_uid
// you choose; [Client.Again] charges it (the name is the API's path, POST
// /subscribe/payments/again). [Client.GetBillingKey], [Client.GetBillingKeys]
// (several at once), [Client.DeleteBillingKey] and [Client.DeleteBillingKeyWith]
// (with a reason) manage it; [Client.ListBillingKeyPayments] lists what it
// paid.
//
// # Schedule and recurring billing
//
// [Client.Schedule] books payments on a billing key for later times;
// iamport charges each at its ScheduleAt and POSTs a webhook.
// [Client.GetSchedule], [Client.Unschedule], [Client.UpdateSchedule] (move a
// pending one), [Client.RescheduleSchedule] (book a failed or revoked one
// again) and [Client.RetrySchedule] (charge it now) manage them.
// [Client.ListSchedules] lists them by time range; [Client.ListBillingKeySchedules]
// lists one billing key's. [Client.ListCustomerSchedules] answers the same
// for another path iamport serves (GET
// /subscribe/payments/schedule/customers/{customer_uid}); use
// ListBillingKeySchedules, and the other only if you already do.
//
// For a subscription, describe it with a [Plan] (billing dates on the
// calendar, in Asia/Seoul by default, with a deterministic merchant_uid per
// cycle and retry) and call [Client.ScheduleCycle] for the first cycle, then
// [Client.ScheduleFollowUp] from each verified webhook: a paid cycle books
// the next, a failed one a retry, until [ErrRetriesExhausted].
//
// # Webhooks
//
// iamport V1 webhooks are not signed. [WebhookHandler] is an http.Handler
// that parses each notification ([ParseWebhook]), verifies it against the API
// ([Client.VerifyWebhook]) and calls your function with the verified
// [Payment] only. Options: [WithAllowedSources] with [WebhookSourceIPs],
// [WithTrustedProxies] behind a reverse proxy, [WithLoopbackSources] in tests
// against iamporttest, [WithSandboxPayments], [WithWebhookTimeout] and
// [WithWebhookLogger].
//
// # Look up, list and refund
//
// [Client.GetPayment] looks a payment up by imp_uid, [Client.FindPayment] by
// your merchant_uid (its newest attempt), [Client.FindPayments] every attempt
// of one merchant_uid, and [Client.GetPayments] up to 100 at once.
// [Client.ListPaymentsByStatus] lists payments in a time range; an empty
// Status lists every status. [Client.CancelPayment] refunds all or part of a
// payment, with a checksum so that a refund is never applied twice.
//
// Every list is an iterator (iter.Seq2[*T, error]) that fetches pages as the
// loop needs them and walks time ranges longer than the API allows in one
// request; each has a one-page form (ListPaymentsByStatusPage, ...) returning
// a [Page]. Pages are numbered from 1, as in the API; a Page field of 0 in a
// request means the first page.
//
// # Verify a browser payment
//
// For a payment made in the browser with iamport's JavaScript SDK
// (IMP.request_pay), register its amount first with [Client.PreparePayment]
// (and [Client.UpdatePreparedPayment], [Client.GetPreparedPayment]);
// afterwards call [Client.VerifyPayment] with the imp_uid the browser
// reports and what your order expects: it fetches the payment and checks its
// merchant_uid, amount, currency and status, returns a
// [*PaymentMismatchError] (matching [ErrPaymentMismatch]) when they differ,
// and with CancelOnMismatch refunds a tampered paid payment in full.
//
// # Virtual accounts, receipts, certifications, escrow, codes
//
// Virtual accounts: [Client.IssueVbank] issues one (a "ready" payment whose
// account is in [Payment].VbankNum, VbankName and VbankDate until the buyer
// deposits), [Client.UpdateVbank], [Client.RevokeVbank], and
// [Client.GetVbankHolder] to check an account's holder (for refunds).
// Cash receipts: [Client.IssueReceipt], [Client.GetReceipt],
// [Client.CancelReceipt], and for cash sales outside iamport
// [Client.IssueExternalReceipt], [Client.GetExternalReceipt],
// [Client.CancelExternalReceipt]. Identity verification:
// [Client.RequestCertificationOTP], [Client.ConfirmCertificationOTP],
// [Client.GetCertification], [Client.DeleteCertification]; a [Certification]
// is personal data and redacts itself in every encoding. Escrow shipping:
// [Client.GetEscrowLogis], [Client.RegisterEscrowLogis],
// [Client.UpdateEscrowLogis]. Codes: [Client.ListBankCodes],
// [Client.GetBankCode], [Client.ListCardCodes], [Client.GetCardCode].
// Account: [Client.ListPGSettings], [Client.GetTier] (see [WithTier]),
// [Client.RegisterPartnerReceipts].
//
// # PG-specific areas
//
//   - NaverPay product orders: [Client.NaverPlace], [Client.NaverShip],
//     [Client.NaverCancel], [Client.NaverApproveCancel],
//     [Client.NaverRequestReturn], [Client.NaverApproveReturn],
//     [Client.NaverRejectReturn], [Client.NaverWithholdReturn],
//     [Client.NaverResolveReturn], [Client.NaverCollectExchanged],
//     [Client.NaverShipExchanged], [Client.GetNaverProductOrders],
//     [Client.GetNaverProductOrder], [Client.GetNaverReviews]; NaverPay
//     payment type: [Client.NaverDepositPoint], [Client.NaverConfirm],
//     [Client.GetNaverCashAmount].
//   - KCP Quick: [Client.PrepareKcpQuick], [Client.UpdateKcpQuickPrepare],
//     [Client.PayKcpQuickMoney], [Client.PayKcpQuickAutopay],
//     [Client.DeleteKcpQuickAutopayKey], [Client.DeleteKcpQuickMember],
//     [Client.ReleaseKcpQuickFido].
//   - PAYCO: [Client.ChangePaycoOrderStatus], [Client.GetPaymentBalance].
//   - Paymentwall: [Client.RegisterPaymentwallDelivery].
//   - Benepia: [Client.GetBenepiaPoint], [Client.PayBenepia].
//   - Convenience stores: [Client.IssueCVSPayment], [Client.RevokeCVSPayment].
//
// # Errors
//
// Every error is one of these, matched with errors.As or errors.Is:
//
//   - [*ValidationError]: the input was refused before anything was sent;
//     Field names the field.
//   - [*DeclinedError]: a charge reached the card company and was declined,
//     or a virtual account was not issued; the failed Payment is returned
//     with it. No money moved.
//   - [*ChargeCancelledError]: a charge whose answer was lost was found paid
//     and then cancelled; the Payment is returned with it.
//   - [*OutcomeUnknownError]: a money-moving call may have been processed,
//     or may still be running, and no lookup proved its outcome before
//     [WithReconcileTimeout] ended. The SDK did not send it again; settle it
//     as its message says (for a charge, [Client.FindPayments] of the order)
//     before you charge again.
//   - [*UnscheduleError]: an Unschedule did not revoke every schedule asked
//     for; it lists what was revoked, what was not, and what is unknown.
//   - [ErrChargeInFlight]: another charge of the same merchant_uid is in
//     flight on this Client; nothing was sent.
//   - [ErrVbankPaid]: a RevokeVbank answer showed the payment paid: nothing
//     was revoked; the Payment is returned with it.
//   - [*APIError]: the server said no (HTTP 4xx/5xx, or HTTP 200 with a
//     non-zero code), or its body was not a complete JSON envelope.
//     Sentinels: [ErrUnauthorized], [ErrNotFound], [ErrInvalidResponse],
//     [ErrAlreadyPaid] (the merchant_uid is paid already),
//     [ErrCardRejected] (the card data was refused: ask for another card),
//     [ErrNothingToRevoke].
//   - context and transport errors, wrapped with %w.
//
// Webhooks add [ErrWebhookMismatch] and [*WebhookError]; plans add
// [ErrRetriesExhausted], [ErrNoFollowUp] and [ErrNotPlanMerchantUID].
//
// # Amounts, times and numbers
//
// Money is an [Amount], exact to two decimals through its methods. Every
// [Time] the SDK returns is in UTC: call .In(seoul) with seoul from
// time.LoadLocation("Asia/Seoul") to show it in Korean time. Integer fields
// that the API may send as 3, 3.0 or "3" are [LenientInt].
//
// # Testing
//
// Package iamporttest is an offline fake of the API for end-to-end tests of
// your code: srv := iamporttest.NewServer(); client := srv.Client(). It has a
// clock you move, test cards that decline, faults on demand, and records of
// what was sent. For unit tests of one call, pass a mock transport with
// [WithHTTPClient]: without it, the Client sends through a transport of its
// own, not http.DefaultTransport, so httpmock.Activate does not reach it. A
// charge first lists the order's attempts (GET
// /payments/findAll/{merchant_uid}), and a money-moving call whose mock
// answer is missing or fails looks the outcome up until
// [WithReconcileTimeout] (20 s by default) ends: in mock tests, set a short
// WithReconcileTimeout and [WithMaxRetries](0). The README ("Testing your own
// code") lists the requests of each call. The command cmd/iamportfake runs
// the same fake as a standalone server for tests in any language.
package iamport
