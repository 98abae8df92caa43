package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestRunAgainstTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, noEnv))
	require.Equal(t, `cycle  merchant_uid             scheduled (KST)   status  amount    fail reason
1      gildong_0001_1234-c1     2030-01-31 10:00  paid    8900 KRW  -
2      gildong_0001_1234-c2     2030-02-28 10:00  failed  8900 KRW  한도초과
2      gildong_0001_1234-c2-r1  2030-03-01 10:00  paid    8900 KRW  -
3      gildong_0001_1234-c3     2030-03-31 10:00  paid    8900 KRW  -
4 webhooks, each delivered twice; 4 payments recorded
`, out.String())

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
