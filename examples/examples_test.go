package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestExamples builds every program in examples/ and runs it with no
// credentials, so against the in-process iamporttest fake, and checks what it
// printed. A merchant copying an example copies code that is known to work.
func TestExamples(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the examples: %v", err)
	}
	want := map[string][]string{
		"onetime": {
			`running against the built-in fake iamport server`,
			`paid: imp_uid=imp_\d{12} amount=1000 status=paid`,
			`same payment: true`,
			`partial: status=paid cancelled=300 balance=700`,
			`full: status=cancelled cancelled=1000 balance=0 refunds=2`,
		},
		"billingkey": {
			`saved: .* \d{4}-\d{2}\*\*-\*{4}-\d{4}`,
			`paid: imp_uid=imp_\d{12} amount=1000 customer_uid_usage=payment`,
			`declined, no money moved: status=failed reason=".+"`,
			`not found = true`,
		},
		"recurring": {
			`^Running against the built-in fake iamport server \(iamporttest\) on a simulated clock`,
			`month 1 \(\S+-c1\) paid, imp_uid imp_\d{12};\s+its webhook arrived, and month 2 was scheduled`,
			`month 2 \(\S+-c2\) declined: \S+ \(over the card's limit\), imp_uid imp_\d{12};\s+its webhook arrived, and retry 1 of month 2 was scheduled .*\(\S+-c2-r1\)`,
			`the webhook for \S+-c2-r1 \(paid\) was lost`,
			`month 3 \(\S+-c3\) paid, .*\s+its webhook arrived; the plan has 3 cycles, so nothing more is scheduled`,
			`\S+-c2-r1 paid → recorded; month 3 scheduled`,
			`the lost webhook is recovered`,
			`delivered a second time, on purpose`,
			`(?m)^cycle\s+merchant_uid\s+imp_uid\s+scheduled \(KST\)\s+status\s+amount`,
			`(?m)^1\s+\S+-c1\s+imp_\d{12}\s+.*\bpaid\s+8900 KRW`,
			`(?m)^2\s+\S+-c2\s+imp_\d{12}\s+.*\bfailed\s+8900 KRW\s+\S+ \(over the card's limit\)`,
			`(?m)^2\s+\S+-c2-r1\s+imp_\d{12}\s+.*\bpaid\s+8900 KRW`,
			`(?m)^3\s+\S+-c3\s+imp_\d{12}\s+.*\bpaid\s+8900 KRW`,
		},
	}
	dirs, err := filepath.Glob("*/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < len(want) {
		t.Fatalf("found %d examples, want at least %d", len(dirs), len(want))
	}
	bin := t.TempDir()
	for _, mainFile := range dirs {
		name := filepath.Dir(mainFile)
		t.Run(name, func(t *testing.T) {
			patterns, ok := want[name]
			if !ok {
				t.Fatalf("examples/%s has no expected output in this test: add it", name)
			}
			exe := filepath.Join(bin, name)
			build := exec.Command(goBin, "build", "-o", exe, "./"+name)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("building examples/%s: %v\n%s", name, err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			run := exec.CommandContext(ctx, exe)
			run.Env = withoutIamportEnv(os.Environ())
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("examples/%s failed: %v\n%s", name, err, out)
			}
			for _, p := range patterns {
				if !regexp.MustCompile(p).Match(out) {
					t.Errorf("examples/%s output does not match %q:\n%s", name, p, out)
				}
			}
		})
	}
}

// withoutIamportEnv drops IAMPORT_* variables so the examples use the fake.
func withoutIamportEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "IAMPORT_") {
			out = append(out, kv)
		}
	}
	return out
}
