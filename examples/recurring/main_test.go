package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestRunAgainstTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, noEnv))
	require.Equal(t, `Running against the built-in fake iamport server (iamporttest) on a simulated clock
starting 2030-01-20 09:00 KST: no card is charged, and three months pass in a moment.
Set IAMPORT_API_KEY and IAMPORT_API_SECRET to run against the real API.

2030-01-31 10:00  month 1 (gildong_0001_1234-c1) paid, imp_uid imp_100000000001;
                  its webhook arrived, and month 2 was scheduled for 2030-02-28 10:00 (gildong_0001_1234-c2).
2030-02-28 10:00  month 2 (gildong_0001_1234-c2) declined: 한도초과 (over the card's limit), imp_uid imp_100000000002;
                  its webhook arrived, and retry 1 of month 2 was scheduled for 2030-03-01 10:00 (gildong_0001_1234-c2-r1).
2030-03-01 10:00  the webhook for gildong_0001_1234-c2-r1 (paid) was lost on its way, as one sent during a
                  deploy would be; iamport V1 sends each webhook once unless re-delivery is enabled.
2030-03-01 11:00  so month 3 is not scheduled: without a sweep the subscription would end here.
2030-03-01 11:00  sweep: looking at the schedules that ran in the last 48 hours
                  gildong_0001_1234-c2 failed → its cycle has been paid since: no retry to book
                  gildong_0001_1234-c2-r1 paid → recorded; month 3 scheduled for 2030-03-31 10:00 (gildong_0001_1234-c3)
                  the lost webhook is recovered, and the subscription goes on.
2030-03-31 10:00  month 3 (gildong_0001_1234-c3) paid, imp_uid imp_100000000004;
                  its webhook arrived; the plan has 3 cycles, so nothing more is scheduled.

Each of the 3 webhooks that arrived was then delivered a second time, on purpose,
as iamport's re-delivery or a console resend would: nothing was recorded or charged twice.

cycle  merchant_uid             imp_uid           scheduled (KST)   status  amount    fail reason
1      gildong_0001_1234-c1     imp_100000000001  2030-01-31 10:00  paid    8900 KRW  -
2      gildong_0001_1234-c2     imp_100000000002  2030-02-28 10:00  failed  8900 KRW  한도초과 (over the card's limit)
2      gildong_0001_1234-c2-r1  imp_100000000003  2030-03-01 10:00  paid    8900 KRW  -
3      gildong_0001_1234-c3     imp_100000000004  2030-03-31 10:00  paid    8900 KRW  -
4 payments recorded, one per imp_uid and status.
A merchant_uid ending in -r1 is the first retry of its cycle: the plan retries a declined
cycle 1, 3 and 7 days after its billing time; c2-r1 paid, so no later retry was scheduled.
`, out.String())

	require.True(t, strings.HasPrefix(out.String(), "Running against the built-in fake iamport server"),
		"the demo says first what it runs against")

	// Deterministic: a second run prints the same.
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again, noEnv))
	require.Equal(t, out.String(), again.String())
}

func TestRunLiveNeedsConfiguration(t *testing.T) {
	env := map[string]string{"IAMPORT_API_KEY": "key", "IAMPORT_API_SECRET": "secret"}
	err := run(context.Background(), &bytes.Buffer{}, func(k string) string { return env[k] })
	require.ErrorContains(t, err, "IAMPORT_CUSTOMER_UID")

	env["IAMPORT_CUSTOMER_UID"] = "gildong_0001_1234"
	env["IAMPORT_AMOUNT"] = "-5"
	err = run(context.Background(), &bytes.Buffer{}, func(k string) string { return env[k] })
	require.ErrorContains(t, err, "IAMPORT_AMOUNT")
}
